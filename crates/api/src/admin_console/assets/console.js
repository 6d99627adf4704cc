// The admin console: built by the script, talking only to the admin API.
const app = document.getElementById('app')
app.textContent = document.documentElement.lang === 'en' ? 'Tessera admin console' : 'Tessera 管理控制台'
