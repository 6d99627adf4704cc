// The admin console at /console: plain JavaScript (ES2022, no build step, no dependency) that
// builds every screen with DOM calls and talks only to the admin API (/api/v1), with the bearer
// token kept in this tab's sessionStorage. The page's policy allows no inline code, no other
// origin and no HTML parsed from strings (Trusted Types), so whatever an answer holds is only
// ever set as text.
//
// Sections: texts, DOM helpers, session and API, feedback, dialogs, forms, tables, CSV, the
// shell and router, then one function per screen.

// --- Texts --------------------------------------------------------------------------------------

/** Every text of the console, one catalog per language; both hold the same keys. */
export const CATALOGS = {
  'zh-CN': {
    'app.title': 'Tessera 管理控制台',
    'app.brand': 'Tessera',
    'app.subtitle': '管理控制台',
    'app.skip': '跳到主要内容',
    'lang.label': '语言',
    'nav.label': '导航',
    'nav.pools': '用户池',
    'nav.pool': '用户池 {id}',
    'nav.overview': '概览与设置',
    'nav.connections': '身份源连接',
    'nav.applications': '应用',
    'nav.users': '用户',
    'nav.keys': '签名密钥',
    'nav.audit': '审计日志',
    'nav.platform': '平台',
    'nav.admins': '平台管理员',
    'nav.platformAudit': '平台审计日志',
    'nav.password': '修改密码',
    'who.platform': '平台管理员',
    'who.pool': '用户池管理员',
    'who.label': '当前登录',
    'signout': '退出登录',
    'signin.title': '登录管理控制台',
    'signin.tabs': '登录方式',
    'signin.platform': '平台管理员',
    'signin.pool': '用户池管理员',
    'signin.username': '用户名',
    'signin.password': '密码',
    'signin.poolId': '用户池 ID',
    'signin.poolSecret': '用户池密钥',
    'signin.submit': '登录',
    'signin.platformHint': '可管理所有用户池和平台设置。',
    'signin.poolHint': '只能管理这一个用户池。',
    'signin.failed': '用户名或密码错误。',
    'signin.poolFailed': '用户池 ID 或密钥错误。',
    'notice.expired': '会话已过期，请重新登录。登录后将回到刚才的页面。',
    'notice.signedOut': '已退出登录。',
    'notice.passwordChanged': '密码已修改，请用新密码重新登录。',
    'notice.secretRotated': '用户池密钥已更换，请用新密钥重新登录。',
    'notice.tokensRevoked': '你的所有令牌已被撤销，请重新登录。',
    'notice.accountDeleted': '你的账号已删除。',
    'common.loading': '加载中…',
    'common.retry': '重试',
    'common.cancel': '取消',
    'common.close': '关闭',
    'common.save': '保存',
    'common.create': '创建',
    'common.edit': '编辑',
    'common.delete': '删除',
    'common.yes': '是',
    'common.no': '否',
    'common.none': '—',
    'common.actions': '操作',
    'common.saved': '已保存。',
    'common.deleted': '已删除。',
    'common.nothingChanged': '没有需要保存的修改。',
    'common.enabled': '已启用',
    'common.disabled': '已停用',
    'common.enable': '启用',
    'common.disable': '停用',
    'common.optional': '选填',
    'common.copy': '复制',
    'common.copied': '已复制',
    'common.copyFailed': '无法复制，请手动选中复制。',
    'common.createdAt': '创建时间',
    'common.updatedAt': '更新时间',
    'common.name': '名称',
    'common.id': 'ID',
    'common.search': '搜索',
    'common.clear': '清除',
    'common.you': '你',
    'common.typeToConfirm': '请输入 {value} 以确认',
    'common.notFoundScreen': '没有这个页面。',
    'pager.label': '分页',
    'pager.prev': '上一页',
    'pager.next': '下一页',
    'pager.status': '第 {page} / {pages} 页，共 {total} 条',
    'pager.size': '每页条数',
    'error.network': '无法连接到服务器，请检查网络后重试。',
    'error.invalid_request': '服务器拒绝了提交的内容。',
    'error.unauthorized': '未授权。',
    'error.forbidden': '没有权限：当前登录身份不能执行此操作。',
    'error.not_found': '未找到。',
    'error.pool_not_found': '未找到这个用户池（或它不属于你）。',
    'error.conflict': '冲突：已存在相同的值。',
    'error.rate_limited': '操作过于频繁，请在 {seconds} 秒后重试。',
    'error.rateLimitedNow': '操作过于频繁，请稍后重试。',
    'error.unavailable': '服务暂时不可用，请在 {seconds} 秒后重试。',
    'error.unavailableNow': '服务暂时不可用，请稍后重试。',
    'error.payload_too_large': '提交的内容太大。',
    'error.request_timeout': '请求超时，请重试。',
    'error.internal_error': '服务器内部错误，请稍后重试。',
    'error.unexpected': '意外的错误（HTTP {status}）。',
    'error.serverSays': '服务器消息：{message}',
    'pools.title': '用户池',
    'pools.create': '创建用户池',
    'pools.empty': '还没有用户池。',
    'pools.algorithm': '签名算法',
    'pools.idHint': '字母、数字、_ 或 -，最多 64 个字符；留空则自动生成。迁移自托管版时填写原用户池 ID。',
    'pools.created': '用户池 {id} 已创建。',
    'pools.secretTitle': '用户池 {id} 的密钥',
    'pools.delete': '删除用户池',
    'pools.deleteMessage': '将永久删除用户池 {id} 及其所有连接、用户、应用、令牌、密钥和审计日志。此操作无法撤销。',
    'pools.deleted': '用户池 {id} 已删除。',
    'pool.details': '基本信息',
    'pool.discovery': 'OpenID 配置（公共地址上）',
    'pool.jwks': 'JWKS 公钥（公共地址上）',
    'pool.settings': '设置',
    'pool.tokens': '令牌',
    'pool.allowSignUp': '允许新用户注册（未知的微信用户登录时自动创建）',
    'pool.tokenTtl': '令牌有效期（秒）',
    'pool.tokenTtlHint': '60 至 2592000（30 天）。',
    'pool.tokenAlgorithm': '签名算法',
    'pool.tokenAlgorithmHint': '修改后会立即用新算法的新密钥签名。',
    'pool.app2wxapp': 'App 拉起小程序登录（app2wxapp）',
    'pool.requireSecret': '换取用户信息时需要用户池密钥',
    'pool.ticketTtl': 'ticket 有效期（秒）',
    'pool.ticketTtlHint': '10 至 600。',
    'pool.applications': '应用',
    'pool.allowHttp': '允许 web 应用使用 http 回调地址（仅限开发环境）',
    'pool.qrcode': '小程序扫码登录 API（/api/v2/qrcode）',
    'pool.qrcodeExpires': '二维码有效期（秒）',
    'pool.qrcodeExpiresHint': '30 至 600。',
    'pool.qrTicketExpires': 'ticket 有效期（秒）',
    'pool.returnFullUserInfo': '查询状态时返回完整用户信息和令牌',
    'pool.allowBrowserExchange': '允许浏览器直接换取用户信息',
    'pool.currentSecret': '当前用户池密钥',
    'pool.currentSecretHint': '用户池管理员关闭“需要用户池密钥”、开启“返回完整用户信息”或“允许浏览器换取”时必须填写。',
    'pool.algorithmConfirmTitle': '更换签名算法',
    'pool.algorithmConfirm': '新算法 {algorithm} 的新密钥会立即开始签名。缓存了旧 JWKS 的验证方在重新获取前会遇到未知的 kid。确定吗？',
    'pool.secret': '用户池密钥',
    'pool.secretText': '用户池密钥用于换取用户信息和获取用户池管理令牌。更换后旧密钥以及用它获取的管理令牌立即失效。',
    'pool.rotateSecret': '更换密钥',
    'pool.rotateSecretConfirm': '旧密钥会立即失效，所有使用它的后端都需要更新。确定更换吗？',
    'pool.rotateSecretPool': '旧密钥以及你当前的登录会立即失效，你需要用新密钥重新登录。请输入当前密钥以确认。',
    'pool.newSecretTitle': '新的用户池密钥',
    'pool.danger': '危险操作',
    'secret.once': '密钥只显示这一次，关闭后无法再次查看。请立即妥善保存。',
    'secret.label': '密钥',
    'secret.done': '我已保存',
    'connections.title': '身份源连接',
    'connections.create': '添加连接',
    'connections.empty': '还没有连接。',
    'connections.kind': '类型',
    'connections.appId': 'AppID',
    'connections.appIdHint': 'wx 加 16 位字母或数字；企业微信为企业 ID（ww…）。',
    'connections.agentId': 'AgentId',
    'connections.agentIdHint': '企业微信应用的 AgentId，1 至 10 位数字。',
    'connections.secret': 'AppSecret',
    'connections.secretHint': '16 至 64 位字母或数字（企业微信还可以包含 - 和 _）。加密存储，不会再显示。',
    'connections.secretKeep': '当前：{hint}。留空则保持不变；更换 AppID 或 AgentId 时必须填写。',
    'connections.secretNeeded': '更换 AppID 或 AgentId 时必须填写新的密钥。',
    'connections.nameHint': '托管登录页显示的名称，1 至 64 个字符；留空则显示类型名。',
    'connections.enabled': '允许通过此连接登录',
    'connections.signUp': '未知用户登录时',
    'connections.scope': '授权范围',
    'connections.envVersion': '二维码打开的小程序版本',
    'connections.position': '排序',
    'connections.positionHint': '0 至 10000，小的在前；留空则排在最后。',
    'connections.status': '状态',
    'connections.secretColumn': '密钥',
    'connections.app2wxappBadge': 'app2wxapp',
    'connections.created': '连接已添加。',
    'connections.editTitle': '编辑连接',
    'connections.deleteTitle': '删除连接',
    'connections.deleteMessage': '删除连接 {name}？通过它登录的用户将无法再通过它登录。',
    'connections.legacy': 'app2wxapp 小程序连接',
    'connections.legacyText': '不指定 AppID 的小程序登录使用的连接（/connections/app2wxapp）。',
    'connections.legacyNone': '尚未配置 app2wxapp 连接。',
    'connections.legacySecret': 'AppSecret',
    'connections.legacySecretHint': '16 至 64 位字母或数字。首次配置或更换 AppID 时必须填写。',
    'connections.legacySave': '保存 app2wxapp 连接',
    'connections.legacyDelete': '删除 app2wxapp 连接',
    'connections.legacyDeleteMessage': '删除 app2wxapp 连接？不指定 AppID 的小程序登录将改用用户池的第一个小程序。',
    'kind.miniprogram': '小程序',
    'kind.website': '网站应用',
    'kind.official_account': '公众号',
    'kind.mobile': '移动应用',
    'kind.multiend': '多端应用',
    'kind.wecom': '企业微信',
    'signUp.create': '自动注册',
    'signUp.linkOnly': '仅关联已有用户',
    'signUp.linkByPhone': '按手机号关联预置用户',
    'scope.snsapi_base': 'snsapi_base（静默）',
    'scope.snsapi_userinfo': 'snsapi_userinfo（获取资料）',
    'env.release': '正式版',
    'env.trial': '体验版',
    'env.develop': '开发版',
    'applications.title': '应用',
    'applications.create': '创建应用',
    'applications.empty': '还没有应用。',
    'applications.type': '类型',
    'applications.clientId': 'Client ID',
    'applications.grants': '授权方式',
    'applications.redirectUris': '回调地址',
    'applications.redirectUrisHint': '每行一个。https；http 仅限 127.0.0.1 和 [::1]；native 应用可用自定义 scheme。',
    'applications.logoutUris': '退出后回调地址',
    'applications.logoutUrisHint': '每行一个，可以为空。',
    'applications.accessTtl': '访问令牌有效期（秒）',
    'applications.accessTtlHint': '60 至 86400，默认 3600。',
    'applications.refreshTtl': '刷新令牌有效期（秒）',
    'applications.refreshTtlHint': '3600 至 31536000，默认 2592000。',
    'applications.connections': '登录页提供的连接',
    'applications.connectionsAll': '用户池所有已启用的连接（按用户池顺序）',
    'applications.connectionsSome': '只提供以下连接',
    'applications.connectionsNone': '用户池还没有可在登录页提供的连接。',
    'applications.pickConnection': '请至少选择一个连接。',
    'applications.pickGrant': '请至少选择一种授权方式。',
    'applications.created': '应用已创建。',
    'applications.secretTitle': '应用 {name} 的客户端密钥',
    'applications.rotate': '更换密钥',
    'applications.rotateTitle': '更换客户端密钥',
    'applications.rotateMessage': '应用 {name} 的旧客户端密钥会立即失效。确定更换吗？',
    'applications.editTitle': '编辑应用',
    'applications.deleteTitle': '删除应用',
    'applications.deleteMessage': '删除应用 {name}？它签发的刷新令牌会一并删除。',
    'appType.web': 'Web 应用（服务端）',
    'appType.spa': '单页应用（SPA）',
    'appType.native': '原生应用',
    'appType.machine': '机器对机器',
    'appType.miniprogram': '小程序',
    'users.title': '用户',
    'users.create': '预置用户',
    'users.empty': '没有用户。',
    'users.emptySearch': '没有符合条件的用户。',
    'users.searchBy': '搜索字段',
    'users.searchValue': '搜索值',
    'users.phone': '手机号',
    'users.email': '邮箱',
    'users.emailVerified': '邮箱已验证',
    'users.username': '用户名',
    'users.nickname': '昵称',
    'users.photo': '头像 URL',
    'users.company': '公司',
    'users.metadata': '元数据（JSON 对象）',
    'users.metadataInvalid': '元数据必须是一个 JSON 对象。',
    'users.openid': 'openid',
    'users.unionid': 'unionid',
    'users.appId': 'AppID',
    'users.user': '用户',
    'users.registerMethod': '注册方式',
    'users.status': '状态',
    'users.blocked': '已封禁',
    'users.active': '正常',
    'users.lastLogin': '最近登录',
    'users.lastIp': '最近登录 IP',
    'users.loginsCount': '登录次数',
    'users.signedUp': '注册时间',
    'users.oauth': '微信资料',
    'users.created': '用户已创建。',
    'users.needOne': '手机号、邮箱和用户名至少填写一项。',
    'users.export': '导出 CSV',
    'users.exporting': '正在导出… {count} / {total}',
    'users.exported': '已导出 {count} 个用户。',
    'users.import': '导入 CSV',
    'users.importTitle': '从 CSV 导入用户',
    'users.importText': '第一行为表头，列名为以下字段：{fields}。每一行创建一个用户；出错的行不会影响其他行。最多 {max} 行。',
    'users.importFile': 'CSV 文件',
    'users.importStart': '开始导入',
    'users.importing': '正在导入… {done} / {total}',
    'users.importDone': '导入完成：成功 {created} 个，失败 {failed} 个。',
    'users.importTooMany': '文件有 {count} 行数据，超过上限 {max} 行，未导入任何用户。请拆分文件。',
    'users.importTooLarge': '文件超过 {size} MiB，未导入。',
    'users.importEmpty': '文件中没有数据行。',
    'users.importBadHeader': '表头中有未知的列：{columns}。允许的列：{fields}。',
    'users.importDuplicateHeader': '表头中有重复的列：{columns}。',
    'users.importBadCsv': '无法解析 CSV：{reason}',
    'users.importRow': '行',
    'users.importResult': '结果',
    'users.importMessage': '说明',
    'users.importCreated': '已创建',
    'users.importFailed': '失败',
    'users.detail': '用户详情',
    'users.identities': '微信身份',
    'users.identitiesEmpty': '没有微信身份。',
    'users.identityKind': '类型',
    'users.unlink': '解除关联',
    'users.unlinkTitle': '解除微信身份',
    'users.unlinkMessage': '解除 {appId} 的身份 {openid}？此人下次通过该应用登录时将不再匹配这个用户。',
    'users.unlinked': '已解除关联。',
    'users.block': '封禁',
    'users.unblock': '解除封禁',
    'users.blockTitle': '封禁用户',
    'users.blockMessage': '封禁后该用户无法再获取令牌，其刷新令牌会被撤销。确定封禁吗？',
    'users.blockedDone': '用户已封禁。',
    'users.unblockedDone': '用户已解除封禁。',
    'users.editTitle': '编辑用户资料',
    'users.clearHint': '清空一个字段即删除它的值。',
    'users.deleteTitle': '删除用户',
    'users.deleteMessage': '将永久删除用户 {name} 及其微信身份和刷新令牌。',
    'csv.errorQuote': '第 {line} 行的引号没有闭合',
    'csv.errorAfterQuote': '第 {line} 行的引号后有多余字符',
    'keys.title': '签名密钥',
    'keys.explain': '活动密钥为新令牌签名；下一个密钥已在 JWKS 中发布，下次轮换后开始签名；已退役的密钥不再签名，但会保留在 JWKS 中直到它签发的所有令牌过期（“发布至”）。',
    'keys.kid': 'kid',
    'keys.algorithm': '算法',
    'keys.status': '状态',
    'keys.retiredAt': '退役时间',
    'keys.publishedUntil': '发布至',
    'keys.rotate': '轮换密钥',
    'keys.rotateTitle': '轮换签名密钥',
    'keys.rotateMessage': '下一个密钥将开始签名，当前活动密钥退役。每个 JWKS 缓存周期（5 分钟）最多轮换一次，验证方就不会遇到未知的 kid。确定轮换吗？',
    'keys.rotated': '已轮换，新的活动密钥：{kid}',
    'keys.empty': '没有密钥。',
    'keyStatus.active': '活动',
    'keyStatus.next': '下一个',
    'keyStatus.retired': '已退役',
    'audit.title': '审计日志',
    'audit.platformTitle': '平台审计日志',
    'audit.empty': '没有符合条件的事件。',
    'audit.filters': '筛选',
    'audit.time': '时间',
    'audit.actor': '操作者',
    'audit.actorHint': '如 admin:<id>、pool:<id>、anonymous',
    'audit.action': '操作',
    'audit.target': '对象',
    'audit.targetHint': '用户 ID、密钥 ID、应用 ID…',
    'audit.platformTargetHint': '管理员 ID 或用户池 ID',
    'audit.outcome': '结果',
    'audit.reason': '原因',
    'audit.ip': 'IP',
    'audit.from': '开始时间（含）',
    'audit.to': '结束时间（不含）',
    'audit.any': '全部',
    'audit.apply': '筛选',
    'audit.exportCsv': '导出 CSV',
    'audit.exportJson': '导出 JSON Lines',
    'audit.exported': '已导出 {count} 个事件。',
    'audit.exporting': '正在导出… {count} / {total}',
    'audit.exportCapped': '只导出了前 {count} 条，请缩小筛选范围。',
    'outcome.success': '成功',
    'outcome.failure': '失败',
    'admins.title': '平台管理员',
    'admins.create': '添加管理员',
    'admins.empty': '没有管理员。',
    'admins.username': '用户名',
    'admins.usernameHint': '1 至 64 个字母、数字、.、_、- 或 @。',
    'admins.password': '密码',
    'admins.passwordHint': '8 至 1024 个字符。',
    'admins.repeat': '再次输入密码',
    'admins.mismatch': '两次输入的密码不一致。',
    'admins.lastLogin': '最近登录',
    'admins.created': '管理员 {username} 已添加。',
    'admins.revoke': '撤销令牌',
    'admins.revokeTitle': '撤销令牌',
    'admins.revokeMessage': '{username} 目前的所有令牌将立即失效。',
    'admins.revoked': '{username} 的令牌已撤销。',
    'admins.deleteTitle': '删除管理员',
    'admins.deleteMessage': '删除管理员 {username}？其令牌会立即失效。',
    'password.title': '修改密码',
    'password.current': '当前密码',
    'password.new': '新密码',
    'password.repeat': '再次输入新密码',
    'password.submit': '修改密码',
    'password.text': '修改后你的所有令牌（包括当前这次登录）都会失效，需要用新密码重新登录。',
    'password.wrong': '当前密码错误。',
  },
  en: {
    'app.title': 'Tessera admin console',
    'app.brand': 'Tessera',
    'app.subtitle': 'Admin console',
    'app.skip': 'Skip to content',
    'lang.label': 'Language',
    'nav.label': 'Navigation',
    'nav.pools': 'User pools',
    'nav.pool': 'Pool {id}',
    'nav.overview': 'Overview and settings',
    'nav.connections': 'Connections',
    'nav.applications': 'Applications',
    'nav.users': 'Users',
    'nav.keys': 'Signing keys',
    'nav.audit': 'Audit log',
    'nav.platform': 'Platform',
    'nav.admins': 'Platform admins',
    'nav.platformAudit': 'Platform audit log',
    'nav.password': 'Change password',
    'who.platform': 'platform admin',
    'who.pool': 'pool admin',
    'who.label': 'Signed in as',
    'signout': 'Sign out',
    'signin.title': 'Sign in to the admin console',
    'signin.tabs': 'How to sign in',
    'signin.platform': 'Platform admin',
    'signin.pool': 'Pool admin',
    'signin.username': 'Username',
    'signin.password': 'Password',
    'signin.poolId': 'User pool ID',
    'signin.poolSecret': 'User pool secret',
    'signin.submit': 'Sign in',
    'signin.platformHint': 'Manages every user pool and the platform.',
    'signin.poolHint': 'Manages this one user pool only.',
    'signin.failed': 'Wrong username or password.',
    'signin.poolFailed': 'Wrong user pool ID or secret.',
    'notice.expired': 'Your session has expired. Sign in again to return to where you were.',
    'notice.signedOut': 'You have signed out.',
    'notice.passwordChanged': 'Your password was changed: sign in with the new one.',
    'notice.secretRotated': 'The pool secret was replaced: sign in with the new one.',
    'notice.tokensRevoked': 'Your tokens were revoked: sign in again.',
    'notice.accountDeleted': 'Your account was deleted.',
    'common.loading': 'Loading…',
    'common.retry': 'Try again',
    'common.cancel': 'Cancel',
    'common.close': 'Close',
    'common.save': 'Save',
    'common.create': 'Create',
    'common.edit': 'Edit',
    'common.delete': 'Delete',
    'common.yes': 'Yes',
    'common.no': 'No',
    'common.none': '—',
    'common.actions': 'Actions',
    'common.saved': 'Saved.',
    'common.deleted': 'Deleted.',
    'common.nothingChanged': 'Nothing to save: no field was changed.',
    'common.enabled': 'Enabled',
    'common.disabled': 'Disabled',
    'common.enable': 'Enable',
    'common.disable': 'Disable',
    'common.optional': 'optional',
    'common.copy': 'Copy',
    'common.copied': 'Copied',
    'common.copyFailed': 'Could not copy: select the text and copy it yourself.',
    'common.createdAt': 'Created',
    'common.updatedAt': 'Updated',
    'common.name': 'Name',
    'common.id': 'ID',
    'common.search': 'Search',
    'common.clear': 'Clear',
    'common.you': 'you',
    'common.typeToConfirm': 'Type {value} to confirm',
    'common.notFoundScreen': 'There is no such page.',
    'pager.label': 'Pages',
    'pager.prev': 'Previous',
    'pager.next': 'Next',
    'pager.status': 'Page {page} of {pages}, {total} in all',
    'pager.size': 'Per page',
    'error.network': 'The server cannot be reached. Check the network and try again.',
    'error.invalid_request': 'The server refused a value.',
    'error.unauthorized': 'Not authorized.',
    'error.forbidden': 'Not allowed: this sign-in may not do that.',
    'error.not_found': 'Not found.',
    'error.pool_not_found': 'No such user pool (or it is not yours).',
    'error.conflict': 'Conflict: that value is taken already.',
    'error.rate_limited': 'Too many attempts: try again in {seconds} s.',
    'error.rateLimitedNow': 'Too many attempts: try again shortly.',
    'error.unavailable': 'The service is unavailable: try again in {seconds} s.',
    'error.unavailableNow': 'The service is unavailable: try again shortly.',
    'error.payload_too_large': 'What was sent is too large.',
    'error.request_timeout': 'The request timed out: try again.',
    'error.internal_error': 'The server failed: try again later.',
    'error.unexpected': 'Unexpected error (HTTP {status}).',
    'error.serverSays': 'Server message: {message}',
    'pools.title': 'User pools',
    'pools.create': 'Create user pool',
    'pools.empty': 'No user pools yet.',
    'pools.algorithm': 'Algorithm',
    'pools.idHint': 'Letters, digits, _ or -, at most 64; generated when empty. When moving from the hosted original, give the pool id your Apps embed.',
    'pools.created': 'User pool {id} created.',
    'pools.secretTitle': 'Secret of user pool {id}',
    'pools.delete': 'Delete user pool',
    'pools.deleteMessage': 'User pool {id} and all its connections, users, applications, tokens, keys and audit events will be deleted for good. This cannot be undone.',
    'pools.deleted': 'User pool {id} deleted.',
    'pool.details': 'Details',
    'pool.discovery': 'OpenID configuration (on the public URL)',
    'pool.jwks': 'JWKS (on the public URL)',
    'pool.settings': 'Settings',
    'pool.tokens': 'Tokens',
    'pool.allowSignUp': 'Allow sign-up (unknown WeChat users are created on login)',
    'pool.tokenTtl': 'Token lifetime (seconds)',
    'pool.tokenTtlHint': '60 to 2592000 (30 days).',
    'pool.tokenAlgorithm': 'Signature algorithm',
    'pool.tokenAlgorithmHint': 'Changing it makes a new key of that algorithm sign at once.',
    'pool.app2wxapp': 'App launches mini program (app2wxapp)',
    'pool.requireSecret': 'The ticket exchange requires the pool secret',
    'pool.ticketTtl': 'Ticket lifetime (seconds)',
    'pool.ticketTtlHint': '10 to 600.',
    'pool.applications': 'Applications',
    'pool.allowHttp': 'Allow plain http redirect URIs for web applications (development only)',
    'pool.qrcode': 'Mini program QR login API (/api/v2/qrcode)',
    'pool.qrcodeExpires': 'QR code lifetime (seconds)',
    'pool.qrcodeExpiresHint': '30 to 600.',
    'pool.qrTicketExpires': 'Ticket lifetime (seconds)',
    'pool.returnFullUserInfo': 'The status check answers the whole user with a token',
    'pool.allowBrowserExchange': 'Browsers may exchange the ticket',
    'pool.currentSecret': 'Current pool secret',
    'pool.currentSecretHint': 'A pool admin must give it to turn the secret requirement off, or full user info or browser exchange on.',
    'pool.algorithmConfirmTitle': 'Change the signature algorithm',
    'pool.algorithmConfirm': 'A new {algorithm} key signs at once. Verifiers holding a cached JWKS meet an unknown kid until they fetch it again. Go ahead?',
    'pool.secret': 'Pool secret',
    'pool.secretText': 'The pool secret exchanges tickets and obtains pool management tokens. Replacing it ends the old secret and the tokens obtained with it at once.',
    'pool.rotateSecret': 'Replace secret',
    'pool.rotateSecretConfirm': 'The old secret stops working at once: every backend using it needs the new one. Replace it?',
    'pool.rotateSecretPool': 'The old secret and your current sign-in stop working at once; you will sign in again with the new secret. Type the current secret to confirm.',
    'pool.newSecretTitle': 'New pool secret',
    'pool.danger': 'Danger zone',
    'secret.once': 'This secret is shown only now and never again. Store it safely before closing.',
    'secret.label': 'Secret',
    'secret.done': 'I have stored it',
    'connections.title': 'Connections',
    'connections.create': 'Add connection',
    'connections.empty': 'No connections yet.',
    'connections.kind': 'Kind',
    'connections.appId': 'AppID',
    'connections.appIdHint': 'wx and 16 letters or digits; for WeCom the corp id (ww…).',
    'connections.agentId': 'AgentId',
    'connections.agentIdHint': 'The WeCom app\'s AgentId, 1 to 10 digits.',
    'connections.secret': 'AppSecret',
    'connections.secretHint': '16 to 64 letters or digits (WeCom also - and _). Stored encrypted, never shown again.',
    'connections.secretKeep': 'Now: {hint}. Leave empty to keep; a new AppID or AgentId needs it.',
    'connections.secretNeeded': 'A new AppID or AgentId needs its secret.',
    'connections.nameHint': 'What the hosted login page shows, 1 to 64 characters; the kind\'s name when empty.',
    'connections.enabled': 'Logins through it are allowed',
    'connections.signUp': 'When an unknown person logs in',
    'connections.scope': 'Scope',
    'connections.envVersion': 'Mini program version QR codes open',
    'connections.position': 'Position',
    'connections.positionHint': '0 to 10000, lower first; after the last one when empty.',
    'connections.status': 'Status',
    'connections.secretColumn': 'Secret',
    'connections.app2wxappBadge': 'app2wxapp',
    'connections.created': 'Connection added.',
    'connections.editTitle': 'Edit connection',
    'connections.deleteTitle': 'Delete connection',
    'connections.deleteMessage': 'Delete the connection {name}? People can no longer log in through it.',
    'connections.legacy': 'app2wxapp mini program connection',
    'connections.legacyText': 'The connection mini program logins use when they name no AppID (/connections/app2wxapp).',
    'connections.legacyNone': 'No app2wxapp connection is configured.',
    'connections.legacySecret': 'AppSecret',
    'connections.legacySecretHint': '16 to 64 letters or digits. Needed the first time and when the AppID changes.',
    'connections.legacySave': 'Save app2wxapp connection',
    'connections.legacyDelete': 'Delete app2wxapp connection',
    'connections.legacyDeleteMessage': 'Delete the app2wxapp connection? Mini program logins naming no AppID will use the pool\'s first mini program.',
    'kind.miniprogram': 'Mini program',
    'kind.website': 'Website app',
    'kind.official_account': 'Official account',
    'kind.mobile': 'Mobile App',
    'kind.multiend': 'Multi-end app',
    'kind.wecom': 'WeCom',
    'signUp.create': 'Sign them up',
    'signUp.linkOnly': 'Link known users only',
    'signUp.linkByPhone': 'Link pre-provisioned users by phone',
    'scope.snsapi_base': 'snsapi_base (silent)',
    'scope.snsapi_userinfo': 'snsapi_userinfo (with profile)',
    'env.release': 'Release',
    'env.trial': 'Trial',
    'env.develop': 'Develop',
    'applications.title': 'Applications',
    'applications.create': 'Create application',
    'applications.empty': 'No applications yet.',
    'applications.type': 'Type',
    'applications.clientId': 'Client ID',
    'applications.grants': 'Grant types',
    'applications.redirectUris': 'Redirect URIs',
    'applications.redirectUrisHint': 'One per line. https; http only for 127.0.0.1 and [::1]; custom schemes for native apps.',
    'applications.logoutUris': 'Post-logout redirect URIs',
    'applications.logoutUrisHint': 'One per line; may be empty.',
    'applications.accessTtl': 'Access token lifetime (seconds)',
    'applications.accessTtlHint': '60 to 86400, default 3600.',
    'applications.refreshTtl': 'Refresh token lifetime (seconds)',
    'applications.refreshTtlHint': '3600 to 31536000, default 2592000.',
    'applications.connections': 'Connections on the login page',
    'applications.connectionsAll': 'Every enabled connection of the pool, in the pool\'s order',
    'applications.connectionsSome': 'Only these connections',
    'applications.connectionsNone': 'The pool has no connection the login page can offer yet.',
    'applications.pickConnection': 'Pick at least one connection.',
    'applications.pickGrant': 'Pick at least one grant type.',
    'applications.created': 'Application created.',
    'applications.secretTitle': 'Client secret of {name}',
    'applications.rotate': 'Replace secret',
    'applications.rotateTitle': 'Replace the client secret',
    'applications.rotateMessage': 'The old client secret of {name} stops working at once. Replace it?',
    'applications.editTitle': 'Edit application',
    'applications.deleteTitle': 'Delete application',
    'applications.deleteMessage': 'Delete the application {name}? The refresh tokens issued to it go with it.',
    'appType.web': 'Web (server-side)',
    'appType.spa': 'Single-page app (SPA)',
    'appType.native': 'Native app',
    'appType.machine': 'Machine to machine',
    'appType.miniprogram': 'Mini program',
    'users.title': 'Users',
    'users.create': 'Pre-provision user',
    'users.empty': 'No users.',
    'users.emptySearch': 'No user matches.',
    'users.searchBy': 'Search by',
    'users.searchValue': 'Value',
    'users.phone': 'Phone',
    'users.email': 'Email',
    'users.emailVerified': 'Email verified',
    'users.username': 'Username',
    'users.nickname': 'Nickname',
    'users.photo': 'Photo URL',
    'users.company': 'Company',
    'users.metadata': 'Metadata (a JSON object)',
    'users.metadataInvalid': 'Metadata must be a JSON object.',
    'users.openid': 'openid',
    'users.unionid': 'unionid',
    'users.appId': 'AppID',
    'users.user': 'User',
    'users.registerMethod': 'Registered by',
    'users.status': 'Status',
    'users.blocked': 'Blocked',
    'users.active': 'Active',
    'users.lastLogin': 'Last login',
    'users.lastIp': 'Last login IP',
    'users.loginsCount': 'Logins',
    'users.signedUp': 'Signed up',
    'users.oauth': 'WeChat profile',
    'users.created': 'User created.',
    'users.needOne': 'Give at least a phone, an email or a username.',
    'users.export': 'Export CSV',
    'users.exporting': 'Exporting… {count} of {total}',
    'users.exported': '{count} users exported.',
    'users.import': 'Import CSV',
    'users.importTitle': 'Import users from CSV',
    'users.importText': 'The first row names the columns, among: {fields}. Each row creates one user; a bad row does not stop the others. At most {max} rows.',
    'users.importFile': 'CSV file',
    'users.importStart': 'Import',
    'users.importing': 'Importing… {done} of {total}',
    'users.importDone': 'Import finished: {created} created, {failed} failed.',
    'users.importTooMany': 'The file has {count} rows, more than the {max} allowed: nothing was imported. Split the file.',
    'users.importTooLarge': 'The file is larger than {size} MiB: nothing was imported.',
    'users.importEmpty': 'The file has no data rows.',
    'users.importBadHeader': 'Unknown columns in the header: {columns}. Allowed: {fields}.',
    'users.importDuplicateHeader': 'Columns named twice in the header: {columns}.',
    'users.importBadCsv': 'The CSV cannot be read: {reason}',
    'users.importRow': 'Row',
    'users.importResult': 'Result',
    'users.importMessage': 'Details',
    'users.importCreated': 'Created',
    'users.importFailed': 'Failed',
    'users.detail': 'User',
    'users.identities': 'WeChat identities',
    'users.identitiesEmpty': 'No WeChat identity.',
    'users.identityKind': 'Kind',
    'users.unlink': 'Unlink',
    'users.unlinkTitle': 'Unlink a WeChat identity',
    'users.unlinkMessage': 'Unlink the identity {openid} of {appId}? That app\'s next login of the person no longer finds this user.',
    'users.unlinked': 'Identity unlinked.',
    'users.block': 'Block',
    'users.unblock': 'Unblock',
    'users.blockTitle': 'Block the user',
    'users.blockMessage': 'A blocked user obtains no more tokens, and their refresh tokens are revoked. Block?',
    'users.blockedDone': 'User blocked.',
    'users.unblockedDone': 'User unblocked.',
    'users.editTitle': 'Edit the user\'s profile',
    'users.clearHint': 'Emptying a field removes its value.',
    'users.deleteTitle': 'Delete the user',
    'users.deleteMessage': 'The user {name}, their WeChat identities and refresh tokens will be deleted for good.',
    'csv.errorQuote': 'a quote opened on line {line} is never closed',
    'csv.errorAfterQuote': 'unexpected text after a closing quote on line {line}',
    'keys.title': 'Signing keys',
    'keys.explain': 'The active key signs new tokens; the next key is already published in the JWKS and signs after the next rotation; a retired key signs nothing but stays published until every token it signed has expired ("published until").',
    'keys.kid': 'kid',
    'keys.algorithm': 'Algorithm',
    'keys.status': 'Status',
    'keys.retiredAt': 'Retired',
    'keys.publishedUntil': 'Published until',
    'keys.rotate': 'Rotate key',
    'keys.rotateTitle': 'Rotate the signing key',
    'keys.rotateMessage': 'The next key starts signing and the active key retires. Rotate at most once per JWKS cache lifetime (5 minutes) and no verifier meets an unknown kid. Rotate?',
    'keys.rotated': 'Rotated: the active key is now {kid}',
    'keys.empty': 'No keys.',
    'keyStatus.active': 'Active',
    'keyStatus.next': 'Next',
    'keyStatus.retired': 'Retired',
    'audit.title': 'Audit log',
    'audit.platformTitle': 'Platform audit log',
    'audit.empty': 'No event matches.',
    'audit.filters': 'Filters',
    'audit.time': 'Time',
    'audit.actor': 'Actor',
    'audit.actorHint': 'e.g. admin:<id>, pool:<id>, anonymous',
    'audit.action': 'Action',
    'audit.target': 'Target',
    'audit.targetHint': 'a user id, key id, client id…',
    'audit.platformTargetHint': 'an admin id or a pool id',
    'audit.outcome': 'Outcome',
    'audit.reason': 'Reason',
    'audit.ip': 'IP',
    'audit.from': 'From (inclusive)',
    'audit.to': 'To (exclusive)',
    'audit.any': 'Any',
    'audit.apply': 'Filter',
    'audit.exportCsv': 'Export CSV',
    'audit.exportJson': 'Export JSON lines',
    'audit.exported': '{count} events exported.',
    'audit.exporting': 'Exporting… {count} of {total}',
    'audit.exportCapped': 'Only the first {count} were exported: narrow the filters.',
    'outcome.success': 'Success',
    'outcome.failure': 'Failure',
    'admins.title': 'Platform admins',
    'admins.create': 'Add admin',
    'admins.empty': 'No admins.',
    'admins.username': 'Username',
    'admins.usernameHint': '1 to 64 letters, digits, ., _, - or @.',
    'admins.password': 'Password',
    'admins.passwordHint': '8 to 1024 characters.',
    'admins.repeat': 'Password again',
    'admins.mismatch': 'The two passwords differ.',
    'admins.lastLogin': 'Last login',
    'admins.created': 'Admin {username} added.',
    'admins.revoke': 'Revoke tokens',
    'admins.revokeTitle': 'Revoke tokens',
    'admins.revokeMessage': 'Every token {username} holds now stops working at once.',
    'admins.revoked': 'Tokens of {username} revoked.',
    'admins.deleteTitle': 'Delete admin',
    'admins.deleteMessage': 'Delete the admin {username}? Their tokens stop working at once.',
    'password.title': 'Change password',
    'password.current': 'Current password',
    'password.new': 'New password',
    'password.repeat': 'New password again',
    'password.submit': 'Change password',
    'password.text': 'Every token of your account, this sign-in included, stops working: you will sign in again with the new password.',
    'password.wrong': 'The current password is wrong.',
  },
}

const LANGS = [
  { tag: 'zh-CN', label: '中文' },
  { tag: 'en', label: 'English' },
]
const LANG_KEY = 'tessera.console.lang'

let lang = initialLang()

/** The language saved by the admin, else the one the server negotiated for the page. */
function initialLang() {
  const saved = readLocal(LANG_KEY)
  if (saved in CATALOGS) return saved
  return document.documentElement.lang in CATALOGS ? document.documentElement.lang : 'zh-CN'
}

function readLocal(key) {
  try {
    return localStorage.getItem(key)
  } catch {
    return null // storage disabled: the language is simply not remembered
  }
}

function setLang(tag) {
  lang = tag
  try {
    localStorage.setItem(LANG_KEY, tag)
  } catch {
    // not remembered, still switched
  }
  route()
}

/** The text of `key` in the current language, `{name}` replaced by `vars.name`. */
function t(key, vars = {}) {
  const text = CATALOGS[lang][key] ?? key
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole))
}

// --- DOM helpers --------------------------------------------------------------------------------

const PROPERTIES = new Set(['value', 'checked'])
let nextId = 0

/**
 * An element: `props` are attributes (`class`, `on<event>` listeners, `value` and `checked` as
 * properties; null, undefined and false leave one out) and the children are nodes or text.
 * Never HTML.
 */
function h(tag, props = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue
    if (key === 'class') el.className = value
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value)
    else if (PROPERTIES.has(key)) el[key] = value
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  el.append(...nodes(children))
  return el
}

/** Nodes of nested children, dropping null, undefined and false. */
function nodes(children) {
  return children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false)
    .map((c) => (c instanceof Node ? c : document.createTextNode(String(c))))
}

function uid(prefix) {
  nextId += 1
  return `${prefix}-${nextId}`
}

function button(label, onclick, kind = 'secondary', extra = {}) {
  return h('button', { type: 'button', class: `btn btn-${kind}`, onclick, ...extra }, label)
}

function link(label, hash) {
  return h('a', { href: hash }, label)
}

function badge(label, tone = 'neutral') {
  return h('span', { class: `badge badge-${tone}` }, label)
}

function mono(text) {
  return h('code', { class: 'mono' }, text ?? t('common.none'))
}

function dateFormat() {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' })
}

/** An ISO-8601 time in the reader's zone and language; the exact UTC value on hover. */
function time(iso) {
  if (!iso) return t('common.none')
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return h('time', { datetime: iso, title: iso }, dateFormat().format(date))
}

function text(value) {
  return value === null || value === undefined || value === '' ? t('common.none') : String(value)
}

/** A definition list of `[label, value]` pairs. */
function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.map(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]))
}

function card(title, ...children) {
  const id = uid('card')
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), children)
}

// --- Session and API ----------------------------------------------------------------------------

const SESSION_KEY = 'tessera.console.session'
/** A token this close to its expiry is treated as expired, so no call fails half-way. */
const EXPIRY_MARGIN_MS = 30_000

/** What the sign-in screen says (a `notice.*` key) and which of its tabs it opens on. */
let signInNotice = null
let signInKind = 'platform'

function storedSession() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY))
  } catch {
    return null
  }
}

/** The signed-in admin (`{token, expiresAt, kind: 'platform'|'pool', name}`), or null; a token
 * about to expire is dropped. */
function session() {
  const stored = storedSession()
  if (!stored?.token) return null
  if (Date.now() >= stored.expiresAt - EXPIRY_MARGIN_MS) {
    forget('expired')
    return null
  }
  return stored
}

function startSession(kind, name, answer) {
  const value = { token: answer.accessToken, expiresAt: Date.now() + answer.expiresIn * 1000, kind, name }
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(value))
}

/** Drops the token, noting why for the sign-in screen. */
function forget(notice) {
  signInKind = storedSession()?.kind ?? signInKind
  sessionStorage.removeItem(SESSION_KEY)
  signInNotice = notice
}

/** Forgets the token and shows the sign-in screen with `notice`, keeping the current address so
 * that signing in again returns there. */
function endSession(notice) {
  forget(notice)
  for (const dialog of document.querySelectorAll('dialog')) dialog.remove()
  route()
}

function signOut(notice = 'signedOut') {
  history.replaceState(null, '', location.pathname + location.search)
  endSession(notice)
}

/** An error answer of the API: `kind` is its stable `error` (or `network`). */
class ApiError extends Error {
  constructor(status, kind, message, retryAfter) {
    super(message)
    this.status = status
    this.kind = kind
    this.retryAfter = retryAfter
  }
}

/** Thrown once the session has ended: the sign-in screen is already shown. */
class SessionEnded extends Error {}

/** Thrown when a form's own check refused a value: the browser shows why, next to the field. */
class Invalid extends Error {}

/** One call of the admin API; answers the parsed JSON (null for 204) or throws an ApiError. */
async function request(method, path, { query, body, token } = {}) {
  const headers = { accept: 'application/json' }
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token) headers.authorization = `Bearer ${token}`
  let answer
  try {
    answer = await fetch(`/api/v1${path}${queryString(query)}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'error',
    })
  } catch {
    throw new ApiError(0, 'network', '')
  }
  const data = await answer.json().catch(() => null)
  if (answer.ok) return data
  const retryAfter = Number.parseInt(answer.headers.get('retry-after') ?? '', 10)
  throw new ApiError(answer.status, data?.error ?? '', data?.message ?? '', Number.isNaN(retryAfter) ? null : retryAfter)
}

/** A call with the session's token; a 401 ends the session (unless `own401`, for calls where it
 * means wrong credentials, which then check the token before blaming them). */
async function api(method, path, { own401 = false, ...options } = {}) {
  const current = session()
  if (!current) {
    endSession('expired')
    throw new SessionEnded()
  }
  try {
    return await request(method, path, { ...options, token: current.token })
  } catch (err) {
    if (err.status !== 401) throw err
    if (own401 && (await tokenStillWorks(current.token))) throw err
    endSession('expired')
    throw new SessionEnded()
  }
}

async function tokenStillWorks(token) {
  try {
    await request('GET', '/userpools', { query: { limit: 1 }, token })
    return true
  } catch (err) {
    return err.status !== 401
  }
}

function queryString(query) {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `?${text}` : ''
}

const PAGE_LIMIT_MAX = 100

/**
 * Every item of a paged list (`{items, total}`), page after page, each id once (a list that
 * moves while it is read may show an item twice), at most `cap`; `progress(count, total)` after
 * each page.
 */
async function fetchAll(path, query, cap, progress) {
  const seen = new Set()
  const items = []
  let total = 0
  for (let page = 1; items.length < cap; page += 1) {
    const answer = await api('GET', path, { query: { ...query, page, limit: PAGE_LIMIT_MAX } })
    total = answer.total
    for (const item of answer.items) {
      if (!seen.has(item.id) && items.length < cap) {
        seen.add(item.id)
        items.push(item)
      }
    }
    progress(items.length, total)
    if (answer.items.length < PAGE_LIMIT_MAX || page * PAGE_LIMIT_MAX >= total) break
  }
  return { items, capped: items.length < total && items.length >= cap }
}

// --- Feedback -----------------------------------------------------------------------------------

/** What an error means, in the admin's language, with the server's own words after it. */
function describeError(err) {
  if (!(err instanceof ApiError)) return { summary: t('error.unexpected', { status: '?' }), detail: String(err?.message ?? err) }
  const seconds = err.retryAfter
  const known = {
    network: t('error.network'),
    rate_limited: seconds ? t('error.rate_limited', { seconds }) : t('error.rateLimitedNow'),
    unavailable: seconds ? t('error.unavailable', { seconds }) : t('error.unavailableNow'),
  }
  const keyed = `error.${err.kind}`
  const summary = known[err.kind]
    ?? (err.kind && CATALOGS[lang][keyed] ? t(keyed) : t('error.unexpected', { status: err.status }))
  return { summary, detail: err.message ? t('error.serverSays', { message: err.message }) : '' }
}

/** An alert box for `err` (nothing for an ended session: the sign-in screen says it all). */
function errorAlert(err, retry) {
  if (err instanceof SessionEnded) return null
  const { summary, detail } = describeError(err)
  return h('div', { class: 'alert alert-error', role: 'alert' },
    h('p', { class: 'alert-title' }, summary),
    detail && h('p', { class: 'alert-detail' }, detail),
    retry && button(t('common.retry'), retry))
}

/** Shows `err` in `slot` (replacing what was there). */
function showError(slot, err, retry) {
  slot.replaceChildren(...nodes([errorAlert(err, retry)]))
}

function noticeAlert(message, tone = 'info') {
  return h('div', { class: `alert alert-${tone}`, role: tone === 'error' ? 'alert' : 'status' }, message)
}

/** The live region of short messages; outside the screens, so a message outlives a re-draw. */
const toasts = h('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' })

function toast(message) {
  const item = h('div', { class: 'toast' }, message)
  toasts.append(item)
  setTimeout(() => item.remove(), 6000)
}

function loading() {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'))
}

/** Fills `slot` with what `build` makes once its calls answer; an error with a retry button. */
async function fill(slot, build) {
  slot.setAttribute('aria-busy', 'true')
  slot.replaceChildren(loading())
  try {
    slot.replaceChildren(...nodes([await build()]))
  } catch (err) {
    showError(slot, err, () => fill(slot, build))
  } finally {
    slot.removeAttribute('aria-busy')
  }
}

// --- Dialogs ------------------------------------------------------------------------------------

/** What a dialog's `onSubmit` answers to stay open (showing what it did). */
const KEEP_OPEN = Symbol('keep open')

/**
 * A modal dialog around a form: `body` nodes, then a cancel button (unless `cancelLabel` is null)
 * and the submit button. `onSubmit(form)` runs on submit and closes the dialog with its result,
 * unless it answers KEEP_OPEN or throws: an ApiError is shown in the dialog, next to the form.
 * Resolves with the result, or null when cancelled (Escape too).
 */
function dialog({ title, body, submitLabel, danger = false, cancelLabel = t('common.cancel'), onSubmit, wide = false }) {
  return new Promise((resolve) => {
    const titleId = uid('dialog-title')
    const errors = h('div', { class: 'form-errors' })
    const submit = submitLabel && h('button', { type: 'submit', class: `btn btn-${danger ? 'danger' : 'primary'}` }, submitLabel)
    const form = h('form', { class: 'dialog-form' },
      h('h2', { id: titleId }, title),
      h('div', { class: 'dialog-body' }, body),
      errors,
      h('div', { class: 'dialog-actions' },
        cancelLabel && button(cancelLabel, () => close(null)),
        submit))
    const box = h('dialog', { class: wide ? 'dialog dialog-wide' : 'dialog', 'aria-labelledby': titleId }, form)
    const opener = document.activeElement
    let result = null
    function close(value) {
      result = value
      box.close()
    }
    box.addEventListener('close', () => {
      box.remove()
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus()
      resolve(result)
    })
    form.addEventListener('submit', async (event) => {
      event.preventDefault()
      if (!onSubmit) return close(true)
      await runSubmit(form, errors, submit, async () => {
        const outcome = await onSubmit(form)
        if (outcome !== KEEP_OPEN) close(outcome ?? true)
      })
    })
    document.body.append(box)
    box.showModal()
  })
}

/** Runs `action` for a submitted form: the button disabled meanwhile, errors shown in `errors`
 * and the field the server names marked. */
async function runSubmit(form, errors, submit, action) {
  errors.replaceChildren()
  for (const marked of form.querySelectorAll('[aria-invalid]')) marked.removeAttribute('aria-invalid')
  if (submit) submit.disabled = true
  form.setAttribute('aria-busy', 'true')
  try {
    await action()
  } catch (err) {
    if (err instanceof SessionEnded || err instanceof Invalid) return
    if (!(err instanceof ApiError)) throw err
    errors.replaceChildren(...nodes([errorAlert(err)]))
    markField(form, err)
  } finally {
    if (submit) submit.disabled = false
    form.removeAttribute('aria-busy')
  }
}

/** Marks and focuses the input an `invalid_request` names (`settings.tokenTtlSeconds: …`,
 * `redirectUris[0]: …`). */
function markField(form, err) {
  if (err.kind !== 'invalid_request' && err.kind !== 'conflict') return
  const named = /^([A-Za-z][\w.]*)(?:\[\d+\])?:/.exec(err.message)?.[1]
  const control = named && form.elements.namedItem(named)
  if (control instanceof HTMLElement) {
    control.setAttribute('aria-invalid', 'true')
    control.focus()
  }
}

/** Asks before a destructive action; with `typeToConfirm`, the admin must type that value. */
function confirmAction({ title, message, confirmLabel, typeToConfirm = null }) {
  const typed = typeToConfirm !== null && input('confirmation', { required: true })
  return dialog({
    title,
    body: [h('p', {}, message), typed && field(t('common.typeToConfirm', { value: typeToConfirm }), typed)],
    submitLabel: confirmLabel,
    danger: true,
    onSubmit: () => {
      if (typed && typed.value !== typeToConfirm) refuse(typed, t('common.typeToConfirm', { value: typeToConfirm }))
      return true
    },
  })
}

/** Shows a secret once, with a copy button and the warning that it is never shown again. */
function showSecret(title, secret) {
  const shown = h('input', { class: 'secret-value mono', readonly: true, value: secret, 'aria-label': t('secret.label'), spellcheck: 'false' })
  const copyButton = button(t('common.copy'), () => copy(shown, copyButton))
  return dialog({
    title,
    body: [
      h('p', { class: 'alert alert-warning', role: 'note' }, t('secret.once')),
      h('div', { class: 'secret-row' }, shown, copyButton),
    ],
    submitLabel: t('secret.done'),
    cancelLabel: null,
  })
}

async function copy(shown, copyButton) {
  shown.select()
  try {
    await navigator.clipboard.writeText(shown.value)
    copyButton.textContent = t('common.copied')
  } catch {
    toast(t('common.copyFailed'))
  }
}

// --- Forms --------------------------------------------------------------------------------------

/** A labelled field: `control` with its label and an optional hint, linked for assistive tech. */
function field(label, control, hint = null) {
  const id = control.id || uid('field')
  control.id = id
  const hintEl = hint && h('small', { class: 'hint', id: `${id}-hint` }, hint)
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id)
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl)
}

/** A checkbox with its label after it. */
function checkField(label, name, checked, hint = null) {
  const id = uid('check')
  const box = h('input', { type: 'checkbox', id, name, checked })
  const hintEl = hint && h('small', { class: 'hint', id: `${id}-hint` }, hint)
  if (hintEl) box.setAttribute('aria-describedby', hintEl.id)
  return h('div', { class: 'field field-check' }, box, h('label', { for: id }, label), hintEl)
}

function input(name, props = {}) {
  return h('input', { name, type: 'text', autocomplete: 'off', spellcheck: 'false', ...props })
}

function numberInput(name, value, min, max, props = {}) {
  return h('input', { name, type: 'number', inputmode: 'numeric', step: 1, min, max, value: value ?? '', ...props })
}

function select(name, options, value, props = {}) {
  const el = h('select', { name, ...props }, options.map(([optionValue, label]) => h('option', { value: optionValue }, label)))
  el.value = value
  return el
}

function textarea(name, value, props = {}) {
  return h('textarea', { name, rows: 3, spellcheck: 'false', value: value ?? '', ...props })
}

function fieldset(legend, ...children) {
  return h('fieldset', {}, h('legend', {}, legend), children)
}

/** Every enabled named control of `form` but radio buttons: checkboxes as booleans, numbers as numbers (null when
 * empty), passwords as typed, other text trimmed. */
function readForm(form) {
  const values = {}
  for (const el of form.elements) {
    if (!el.name || el.disabled || el.type === 'radio' || el.closest('[hidden]')) continue
    if (el.type === 'checkbox') values[el.name] = el.checked
    else if (el.type === 'number') values[el.name] = el.value === '' ? null : Number(el.value)
    else if (el.type === 'password') values[el.name] = el.value
    else values[el.name] = el.value.trim()
  }
  return values
}

/** The value at a dotted `path` of `object`. */
function getPath(object, path) {
  return path.split('.').reduce((value, key) => value?.[key], object)
}

/** `{'a.b': 1}` → `{a: {b: 1}}`. */
function nest(flat) {
  const out = {}
  for (const [path, value] of Object.entries(flat)) {
    const keys = path.split('.')
    const last = keys.pop()
    let at = out
    for (const key of keys) at = at[key] ??= {}
    at[last] = value
  }
  return out
}

function blank(value) {
  return value === null || value === undefined || value === ''
}

/** The entries of `values` that differ from `original` (read at the same dotted paths); an
 * emptied field becomes null. */
function changes(values, original) {
  const changed = {}
  for (const [path, value] of Object.entries(values)) {
    const before = getPath(original, path)
    if (blank(value) && blank(before)) continue
    if (value !== before) changed[path] = blank(value) ? null : value
  }
  return changed
}

/** Lines of a textarea, trimmed, empty ones dropped. */
function lines(value) {
  return value.split(/\r?\n/).map((line) => line.trim()).filter(Boolean)
}

function sameList(a, b) {
  return a.length === b.length && a.every((item, i) => item === b[i])
}

/** Parses a metadata textarea: an object, or null when empty; sets the control's validity. */
function parseMetadata(control) {
  control.setCustomValidity('')
  if (!control.value.trim()) return null
  let value = null
  try {
    value = JSON.parse(control.value)
  } catch {
    value = null
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    refuse(control, t('users.metadataInvalid'))
  }
  return value
}

/** Makes `control` invalid with `message` and stops the submission; the next change anywhere
 * in its form lifts the refusal (the fix may be in another field). */
function refuse(control, message) {
  control.setCustomValidity(message)
  control.reportValidity()
  const lift = () => control.setCustomValidity('')
  for (const type of ['input', 'change']) control.form?.addEventListener(type, lift, { once: true })
  throw new Invalid(message)
}

// --- Tables and paging --------------------------------------------------------------------------

/** A table of `rows`: `columns` are `[header, row => cell]`; `empty` when there are none. */
function table(columns, rows, empty, caption = null) {
  if (!rows.length) return h('p', { class: 'empty' }, empty)
  return h('div', { class: 'table-wrap' },
    h('table', {},
      caption && h('caption', { class: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, columns.map(([header]) => h('th', { scope: 'col' }, header)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, columns.map(([, cell]) => h('td', {}, cell(row))))))))
}

function actionsCell(...buttons) {
  return h('div', { class: 'row-actions' }, buttons)
}

const PAGE_SIZES = [10, 20, 50, 100]

/** The page and limit a list screen shows, from its address. */
function paging(query) {
  const page = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1)
  const limit = Number.parseInt(query.get('limit') ?? '20', 10)
  return { page, limit: PAGE_SIZES.includes(limit) ? limit : 20 }
}

/** Previous / next, where we are, and the page size; each changes the address. */
function pager({ page, limit, total }) {
  const pages = Math.max(1, Math.ceil(total / limit))
  const sizeId = uid('page-size')
  return h('nav', { class: 'pager', 'aria-label': t('pager.label') },
    button(t('pager.prev'), () => setQuery({ page: page - 1 }), 'secondary', { disabled: page <= 1 }),
    h('span', { class: 'pager-status', 'aria-live': 'polite' }, t('pager.status', { page, pages, total })),
    button(t('pager.next'), () => setQuery({ page: page + 1 }), 'secondary', { disabled: page >= pages }),
    h('label', { for: sizeId, class: 'pager-size-label' }, t('pager.size')),
    select('limit', PAGE_SIZES.map((n) => [String(n), String(n)]), String(limit), {
      id: sizeId,
      onchange: (event) => setQuery({ limit: event.target.value, page: 1 }),
    }))
}

// --- CSV ----------------------------------------------------------------------------------------

/** Cells a spreadsheet would run as a formula start with one of these: such a cell gets a
 * leading `'` so it is shown as text (OWASP, CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/

function csvCell(value) {
  let cell = value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)
  if (FORMULA_START.test(cell)) cell = `'${cell}`
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell
}

/** RFC 4180 text: a header row, CRLF line ends, quoted where needed. */
function toCsv(columns, rows) {
  return [columns, ...rows.map((row) => columns.map((column) => row[column]))]
    .map((row) => row.map(csvCell).join(','))
    .join('\r\n') + '\r\n'
}

/** The rows of RFC 4180 text (CRLF or LF line ends, a leading byte order mark dropped). */
function parseCsv(source) {
  const content = source.replace(/^\uFEFF/, '')
  const rows = []
  let row = []
  let cell = ''
  let quoted = false
  let line = 1
  for (let i = 0; i < content.length; i += 1) {
    const c = content[i]
    if (quoted) {
      if (c === '"' && content[i + 1] === '"') {
        cell += '"'
        i += 1
      } else if (c === '"') {
        quoted = false
        if (i + 1 < content.length && !',\r\n'.includes(content[i + 1])) throw new Error(t('csv.errorAfterQuote', { line }))
      } else {
        if (c === '\n') line += 1
        cell += c
      }
    } else if (c === '"' && cell === '') {
      quoted = true
    } else if (c === ',') {
      row.push(cell)
      cell = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && content[i + 1] === '\n') i += 1
      row.push(cell)
      rows.push(row)
      row = []
      cell = ''
      line += 1
    } else {
      cell += c
    }
  }
  if (quoted) throw new Error(t('csv.errorQuote', { line }))
  if (cell !== '' || row.length) rows.push([...row, cell])
  return rows
}

/** Undoes `csvCell`'s guard, so a file exported here imports back as it was. */
function unguard(cell) {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell
}

/** Saves `content` as a file the browser downloads. */
function download(name, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type }))
  const anchor = h('a', { href: url, download: name, hidden: true })
  document.body.append(anchor)
  anchor.click()
  anchor.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** `name-2024-05-01T10-00-00Z.ext`: a file name that sorts by time. */
function fileName(stem, extension) {
  return `${stem}-${new Date().toISOString().replace(/\.\d+Z$/, 'Z').replaceAll(':', '-')}.${extension}`
}

// --- Shell and router ---------------------------------------------------------------------------

const app = document.getElementById('app')

/** The address after `#`: `{path: ['pools', 'p1', 'users'], query: URLSearchParams}`. */
function currentAddress() {
  const raw = location.hash.replace(/^#\/?/, '')
  const [path, search = ''] = raw.split('?')
  return { path: path.split('/').filter(Boolean).map(decodePart), query: new URLSearchParams(search) }
}

/** A part of the address as typed, when it is not valid percent-encoding. */
function decodePart(part) {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}

function hashOf(path, query = new URLSearchParams()) {
  const search = query.toString()
  return `#/${path.map(encodeURIComponent).join('/')}${search ? `?${search}` : ''}`
}

function go(path, query) {
  location.hash = hashOf(path, query)
}

/** Changes some query parameters of the current address (an empty value removes one); with
 * `replace`, the others go too, but for the page size. */
function setQuery(changed, replace = false) {
  const { path, query } = currentAddress()
  const next = replace ? new URLSearchParams(query.has('limit') ? { limit: query.get('limit') } : {}) : query
  for (const [key, value] of Object.entries(changed)) {
    if (blank(value)) next.delete(key)
    else next.set(key, String(value))
  }
  go(path, next)
}

const poolPath = (pool, ...rest) => ['pools', pool, ...rest]

/** The screens: a pattern of the address and what draws it. */
const ROUTES = [
  [['pools'], poolsScreen],
  [['pools', ':pool'], poolScreen],
  [['pools', ':pool', 'connections'], connectionsScreen],
  [['pools', ':pool', 'applications'], applicationsScreen],
  [['pools', ':pool', 'users'], usersScreen],
  [['pools', ':pool', 'users', ':user'], userScreen],
  [['pools', ':pool', 'keys'], keysScreen],
  [['pools', ':pool', 'audit'], poolAuditScreen],
  [['platform', 'admins'], adminsScreen],
  [['platform', 'audit'], platformAuditScreen],
  [['platform', 'password'], passwordScreen],
]

function match(pattern, path) {
  if (pattern.length !== path.length) return null
  const params = {}
  for (const [i, part] of pattern.entries()) {
    if (part.startsWith(':')) params[part.slice(1)] = path[i]
    else if (part !== path[i]) return null
  }
  return params
}

/** Draws the screen of the current address (the sign-in screen without a session). */
function route() {
  document.documentElement.lang = lang
  const current = session()
  if (!current) return signInScreen()
  const { path, query } = currentAddress()
  if (!path.length) {
    history.replaceState(null, '', hashOf(current.kind === 'pool' ? poolPath(current.name) : ['pools']))
    return route()
  }
  for (const [pattern, screen] of ROUTES) {
    const params = match(pattern, path)
    if (params) return screen({ ...params, query, me: current })
  }
  const main = shell(current, {})
  main.append(heading(t('common.notFoundScreen')))
}

window.addEventListener('hashchange', route)

/** The frame of every signed-in screen; answers its `<main>`, empty. */
function shell(me, { pool = null }) {
  const main = h('main', { id: 'main', tabindex: '-1' })
  const activePath = location.hash.split('?')[0]
  app.replaceChildren(
    h('a', { class: 'skip-link', href: '#main', onclick: skipToMain }, t('app.skip')),
    h('header', { class: 'topbar' },
      h('div', { class: 'brand' }, h('strong', {}, t('app.brand')), h('span', {}, t('app.subtitle'))),
      h('div', { class: 'topbar-end' },
        h('p', { class: 'who' },
          h('span', { class: 'visually-hidden' }, `${t('who.label')}: `),
          h('strong', {}, me.name), ' · ', t(me.kind === 'pool' ? 'who.pool' : 'who.platform')),
        languageSwitch(),
        button(t('signout'), () => signOut(), 'secondary'))),
    h('div', { class: 'layout' },
      h('nav', { class: 'sidebar', 'aria-label': t('nav.label') }, navigation(me, pool, activePath)),
      main))
  return main
}

function skipToMain(event) {
  event.preventDefault()
  document.getElementById('main')?.focus()
}

function navigation(me, pool, activePath) {
  const item = (label, path) => {
    const href = hashOf(path)
    return h('li', {}, h('a', { href, 'aria-current': href === activePath ? 'page' : null }, label))
  }
  const poolId = me.kind === 'pool' ? me.name : pool
  const sections = []
  if (me.kind === 'platform') sections.push(h('ul', {}, item(t('nav.pools'), ['pools'])))
  if (poolId) {
    sections.push(h('h2', { class: 'nav-heading' }, t('nav.pool', { id: poolId })), h('ul', {},
      item(t('nav.overview'), poolPath(poolId)),
      item(t('nav.connections'), poolPath(poolId, 'connections')),
      item(t('nav.applications'), poolPath(poolId, 'applications')),
      item(t('nav.users'), poolPath(poolId, 'users')),
      item(t('nav.keys'), poolPath(poolId, 'keys')),
      item(t('nav.audit'), poolPath(poolId, 'audit'))))
  }
  if (me.kind === 'platform') {
    sections.push(h('h2', { class: 'nav-heading' }, t('nav.platform')), h('ul', {},
      item(t('nav.admins'), ['platform', 'admins']),
      item(t('nav.platformAudit'), ['platform', 'audit']),
      item(t('nav.password'), ['platform', 'password'])))
  }
  return sections
}

function languageSwitch() {
  return h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('lang.label') },
    LANGS.map(({ tag, label }) => h('button', {
      type: 'button',
      class: 'btn btn-ghost',
      lang: tag,
      'aria-pressed': String(tag === lang),
      onclick: () => setLang(tag),
    }, label)))
}

/** The screen's title (also the document's) and its toolbar. */
function heading(title, ...actions) {
  document.title = `${title} · ${t('app.title')}`
  return h('div', { class: 'screen-head' }, h('h1', {}, title), h('div', { class: 'toolbar' }, actions))
}

/** Starts a signed-in screen: the frame, then its heading; answers the `<main>`. */
function screen(me, title, { pool = null, actions = [] } = {}) {
  const main = shell(me, { pool })
  main.append(heading(title, ...actions))
  return main
}

// --- Sign-in ------------------------------------------------------------------------------------

function signInScreen() {
  document.title = t('app.title')
  const notice = signInNotice
  const tabs = [
    ['platform', t('signin.platform'), platformSignInForm],
    ['pool', t('signin.pool'), poolSignInForm],
  ]
  const tabButtons = []
  const panels = []
  for (const [kind, label, form] of tabs) {
    const tabId = uid('tab')
    const panelId = uid('panel')
    tabButtons.push(h('button', {
      type: 'button', role: 'tab', id: tabId, 'aria-controls': panelId, 'data-kind': kind,
      class: 'tab', onclick: () => selectTab(kind), onkeydown: tabKeys,
    }, label))
    panels.push(h('div', { role: 'tabpanel', id: panelId, 'aria-labelledby': tabId, 'data-kind': kind }, form()))
  }
  function selectTab(kind, focus = false) {
    for (const tab of tabButtons) {
      const selected = tab.dataset.kind === kind
      tab.setAttribute('aria-selected', String(selected))
      tab.tabIndex = selected ? 0 : -1
      if (selected && focus) tab.focus()
    }
    for (const panel of panels) panel.hidden = panel.dataset.kind !== kind
  }
  function tabKeys(event) {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return
    const next = tabButtons.find((tab) => tab.getAttribute('aria-selected') !== 'true')
    selectTab(next.dataset.kind, true)
  }
  app.replaceChildren(h('main', { class: 'signin', id: 'main' },
    h('div', { class: 'signin-card' },
      h('div', { class: 'signin-head' },
        h('div', { class: 'brand' }, h('strong', {}, t('app.brand')), h('span', {}, t('app.subtitle'))),
        languageSwitch()),
      h('h1', {}, t('signin.title')),
      notice && noticeAlert(t(`notice.${notice}`), notice === 'expired' ? 'warning' : 'info'),
      h('div', { role: 'tablist', 'aria-label': t('signin.tabs'), class: 'tabs' }, tabButtons),
      panels)))
  selectTab(signInKind)
}

function platformSignInForm() {
  return signInForm(t('signin.platformHint'), 'signin.failed', [
    field(t('signin.username'), input('username', { required: true, maxlength: 64, autocomplete: 'username' })),
    field(t('signin.password'), input('password', { type: 'password', required: true, maxlength: 1024, autocomplete: 'current-password' })),
  ], async ({ username, password }) => {
    startSession('platform', username, await request('POST', '/auth/admin', { body: { username, password } }))
  })
}

function poolSignInForm() {
  return signInForm(t('signin.poolHint'), 'signin.poolFailed', [
    field(t('signin.poolId'), input('userPoolId', { required: true, maxlength: 64, pattern: '[A-Za-z0-9_\\-]+' })),
    field(t('signin.poolSecret'), input('secret', { type: 'password', required: true, maxlength: 256, autocomplete: 'off' })),
  ], async ({ userPoolId, secret }) => {
    startSession('pool', userPoolId, await request('POST', '/auth/userpool', { body: { userPoolId, secret } }))
  })
}

/** A sign-in form: `signIn(values)` logs in; a 401 means wrong credentials (`wrongKey`). Once
 * signed in, the screen of the current address is drawn: where the admin was. */
function signInForm(hint, wrongKey, fields, signIn) {
  const errors = h('div', { class: 'form-errors' })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('signin.submit'))
  const form = h('form', { class: 'stack' }, h('p', { class: 'hint' }, hint), fields, errors, submit)
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    await runSubmit(form, errors, submit, async () => {
      try {
        await signIn(readForm(form))
      } catch (err) {
        if (err.status !== 401) throw err
        errors.replaceChildren(noticeAlert(t(wrongKey), 'error'))
        return
      }
      signInNotice = null
      route()
    })
  })
  return form
}

// --- User pools ---------------------------------------------------------------------------------

function poolsScreen({ me, query }) {
  const main = screen(me, t('pools.title'), { actions: [button(t('pools.create'), createPool, 'primary')] })
  const slot = h('div')
  main.append(slot)
  const { page, limit } = paging(query)
  fill(slot, async () => {
    const answer = await api('GET', '/userpools', { query: { page, limit } })
    return [
      table([
        [t('common.id'), (pool) => link(pool.id, hashOf(poolPath(pool.id)))],
        [t('common.name'), (pool) => pool.name],
        [t('pools.algorithm'), (pool) => pool.settings.tokenAlgorithm],
        [t('common.createdAt'), (pool) => time(pool.createdAt)],
        [t('common.actions'), (pool) => actionsCell(button(t('common.delete'), () => deletePool(pool.id), 'danger-ghost', { 'aria-label': `${t('common.delete')} ${pool.id}` }))],
      ], answer.items, t('pools.empty'), t('pools.title')),
      pager({ page, limit, total: answer.total }),
    ]
  })
}

async function createPool() {
  const created = await dialog({
    title: t('pools.create'),
    submitLabel: t('common.create'),
    body: [
      field(t('common.name'), input('name', { required: true, maxlength: 128 })),
      field(`${t('common.id')} (${t('common.optional')})`, input('id', { maxlength: 64, pattern: '[A-Za-z0-9_\\-]+' }), t('pools.idHint')),
    ],
    onSubmit: async (form) => {
      const { name, id } = readForm(form)
      return api('POST', '/userpools', { body: { name, id: id || undefined } })
    },
  })
  if (!created) return
  toast(t('pools.created', { id: created.id }))
  await showSecret(t('pools.secretTitle', { id: created.id }), created.secret)
  go(poolPath(created.id))
}

async function deletePool(id) {
  const confirmed = await confirmAction({
    title: t('pools.delete'),
    message: t('pools.deleteMessage', { id }),
    confirmLabel: t('common.delete'),
    typeToConfirm: id,
  })
  if (!confirmed) return
  try {
    await api('DELETE', `/userpools/${encodeURIComponent(id)}`)
  } catch (err) {
    return reportFailure(err)
  }
  toast(t('pools.deleted', { id }))
  if (currentAddress().path.length > 1) go(['pools']) // from the pool's own screen
  else route()
}

/** An action's failure outside a form: an alert at the top of the screen. */
function reportFailure(err) {
  const alert = errorAlert(err)
  const main = document.getElementById('main')
  if (!alert || !main) return
  main.querySelector(':scope > .action-error')?.remove()
  alert.classList.add('action-error')
  main.querySelector('.screen-head')?.after(alert)
  alert.setAttribute('tabindex', '-1')
  alert.focus()
}

/** Runs a one-click action; its failure is reported, its success re-draws the screen. */
async function act(action, done) {
  try {
    await action()
  } catch (err) {
    return reportFailure(err)
  }
  if (done) toast(done)
  route()
}

// --- Pool overview and settings -----------------------------------------------------------------

const ALGORITHMS = ['ES256', 'RS256', 'EdDSA']

function poolScreen({ me, pool: poolId }) {
  const main = screen(me, `${poolId} · ${t('nav.overview')}`, { pool: poolId })
  const slot = h('div', { class: 'stack' })
  main.append(slot)
  fill(slot, async () => {
    const pool = await api('GET', `/userpools/${encodeURIComponent(poolId)}`)
    // Paths of the public URL, which the admin listener (`http.admin_bind`) does not serve.
    const base = `/userpools/${encodeURIComponent(pool.id)}/.well-known`
    return [
      card(t('pool.details'), facts([
        [t('common.id'), mono(pool.id)],
        [t('common.name'), pool.name],
        [t('common.createdAt'), time(pool.createdAt)],
        [t('common.updatedAt'), time(pool.updatedAt)],
        [t('pool.discovery'), mono(`${base}/openid-configuration`)],
        [t('pool.jwks'), mono(`${base}/jwks.json`)],
      ])),
      card(t('pool.settings'), settingsForm(me, pool)),
      card(t('pool.secret'), h('p', {}, t('pool.secretText')), button(t('pool.rotateSecret'), () => rotatePoolSecret(me, pool.id))),
      me.kind === 'platform' && card(t('pool.danger'), button(t('pools.delete'), () => deletePool(pool.id), 'danger')),
    ]
  })
}

function settingsForm(me, pool) {
  const s = pool.settings
  const errors = h('div', { class: 'form-errors' })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.save'))
  const form = h('form', { class: 'stack settings-form' },
    field(t('common.name'), input('name', { value: pool.name, required: true, maxlength: 128 })),
    fieldset(t('pool.tokens'),
      checkField(t('pool.allowSignUp'), 'settings.allowSignUp', s.allowSignUp),
      field(t('pool.tokenTtl'), numberInput('settings.tokenTtlSeconds', s.tokenTtlSeconds, 60, 2592000, { required: true }), t('pool.tokenTtlHint')),
      field(t('pool.tokenAlgorithm'), select('settings.tokenAlgorithm', ALGORITHMS.map((a) => [a, a]), s.tokenAlgorithm), t('pool.tokenAlgorithmHint'))),
    fieldset(t('pool.app2wxapp'),
      checkField(t('pool.requireSecret'), 'settings.app2wxapp.requireSecret', s.app2wxapp.requireSecret),
      field(t('pool.ticketTtl'), numberInput('settings.app2wxapp.ticketTtlSeconds', s.app2wxapp.ticketTtlSeconds, 10, 600, { required: true }), t('pool.ticketTtlHint'))),
    fieldset(t('pool.applications'),
      checkField(t('pool.allowHttp'), 'settings.allowHttpRedirectUris', s.allowHttpRedirectUris)),
    fieldset(t('pool.qrcode'),
      field(t('pool.qrcodeExpires'), numberInput('settings.qrcodeLoginStrategy.qrcodeExpiresAfter', s.qrcodeLoginStrategy.qrcodeExpiresAfter, 30, 600, { required: true }), t('pool.qrcodeExpiresHint')),
      field(t('pool.qrTicketExpires'), numberInput('settings.qrcodeLoginStrategy.ticketExpiresAfter', s.qrcodeLoginStrategy.ticketExpiresAfter, 10, 600, { required: true }), t('pool.ticketTtlHint')),
      checkField(t('pool.returnFullUserInfo'), 'settings.qrcodeLoginStrategy.returnFullUserInfo', s.qrcodeLoginStrategy.returnFullUserInfo),
      checkField(t('pool.allowBrowserExchange'), 'settings.qrcodeLoginStrategy.allowExchangeUserInfoFromBrowser', s.qrcodeLoginStrategy.allowExchangeUserInfoFromBrowser)),
    me.kind === 'pool' && field(t('pool.currentSecret'), input('currentSecret', { type: 'password', autocomplete: 'off', maxlength: 256 }), t('pool.currentSecretHint')),
    errors,
    h('div', {}, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    await runSubmit(form, errors, submit, () => savePool(pool, form))
  })
  return form
}

async function savePool(pool, form) {
  const { currentSecret, ...values } = readForm(form)
  const changed = changes(values, pool)
  if (!Object.keys(changed).length) return toast(t('common.nothingChanged'))
  const algorithm = changed['settings.tokenAlgorithm']
  if (algorithm) {
    const confirmed = await confirmAction({
      title: t('pool.algorithmConfirmTitle'),
      message: t('pool.algorithmConfirm', { algorithm }),
      confirmLabel: t('common.save'),
    })
    if (!confirmed) return
  }
  const body = nest(changed)
  if (currentSecret) body.currentSecret = currentSecret
  await api('PATCH', `/userpools/${encodeURIComponent(pool.id)}`, { body })
  toast(t('common.saved'))
  route()
}

async function rotatePoolSecret(me, poolId) {
  const asPool = me.kind === 'pool'
  const extra = asPool && field(t('pool.currentSecret'), input('currentSecret', { type: 'password', required: true, autocomplete: 'off', maxlength: 256 }))
  const rotated = await dialog({
    title: t('pool.rotateSecret'),
    body: [h('p', {}, t(asPool ? 'pool.rotateSecretPool' : 'pool.rotateSecretConfirm')), extra],
    submitLabel: t('pool.rotateSecret'),
    danger: true,
    onSubmit: (form) => {
      const { currentSecret } = readForm(form)
      return api('POST', `/userpools/${encodeURIComponent(poolId)}/secret/rotate`, { body: asPool ? { currentSecret } : {} })
    },
  })
  if (!rotated) return
  await showSecret(t('pool.newSecretTitle'), rotated.secret)
  if (asPool) signOut('secretRotated')
}

// --- Connections --------------------------------------------------------------------------------

const KINDS = ['miniprogram', 'website', 'official_account', 'mobile', 'multiend', 'wecom']
const SIGN_UPS = ['create', 'linkOnly', 'linkByPhone']
const SCOPES = ['snsapi_base', 'snsapi_userinfo']
const ENV_VERSIONS = ['release', 'trial', 'develop']
/** The kinds a hosted login page can offer (an application's `connections`). */
const PAGE_KINDS = new Set(['miniprogram', 'website', 'official_account', 'wecom'])
/** Fields only some kinds have. */
const KIND_FIELDS = { agentId: 'wecom', scope: 'official_account', envVersion: 'miniprogram' }

function connectionsPath(poolId, rest = '') {
  return `/userpools/${encodeURIComponent(poolId)}/connections${rest}`
}

function connectionsScreen({ me, pool: poolId }) {
  const main = screen(me, `${poolId} · ${t('connections.title')}`, {
    pool: poolId,
    actions: [button(t('connections.create'), () => editConnection(poolId, null), 'primary')],
  })
  const list = h('div')
  const legacy = h('div')
  main.append(list, legacy)
  fill(list, async () => {
    const { items } = await api('GET', connectionsPath(poolId))
    return table([
      [t('common.name'), (c) => [c.name ?? t(`kind.${c.kind}`), c.app2wxapp && [' ', badge(t('connections.app2wxappBadge'), 'info')]]],
      [t('connections.kind'), (c) => t(`kind.${c.kind}`)],
      [t('connections.appId'), (c) => [mono(c.appId), c.agentId && [' / ', mono(c.agentId)]]],
      [t('connections.secretColumn'), (c) => mono(c.secretHint)],
      [t('connections.status'), (c) => badge(t(c.enabled ? 'common.enabled' : 'common.disabled'), c.enabled ? 'ok' : 'neutral')],
      [t('connections.signUp'), (c) => t(`signUp.${c.signUp}`)],
      [t('connections.position'), (c) => String(c.position)],
      [t('common.actions'), (c) => actionsCell(
        button(t('common.edit'), () => editConnection(poolId, c), 'ghost', { 'aria-label': `${t('common.edit')} ${connectionLabel(c)}` }),
        toggleButton(poolId, c),
        button(t('common.delete'), () => deleteConnection(poolId, c), 'danger-ghost', { 'aria-label': `${t('common.delete')} ${connectionLabel(c)}` }))],
    ], items, t('connections.empty'), t('connections.title'))
  })
  fill(legacy, () => legacyConnectionCard(poolId))
}

/** Enables a disabled connection, disables an enabled one. */
function toggleButton(poolId, c) {
  const label = t(c.enabled ? 'common.disable' : 'common.enable')
  const toggle = () => api('PATCH', connectionsPath(poolId, `/${c.id}`), { body: { enabled: !c.enabled } })
  return button(label, () => act(toggle, t('common.saved')), 'ghost', { 'aria-label': `${label} ${connectionLabel(c)}` })
}

function connectionLabel(c) {
  return c.name ?? `${t(`kind.${c.kind}`)} ${c.appId}`
}

/** The form of a connection: `existing` null to add one. */
async function editConnection(poolId, existing) {
  const kind = existing?.kind ?? 'miniprogram'
  const kindSelect = select('kind', KINDS.map((k) => [k, t(`kind.${k}`)]), kind, { disabled: !!existing })
  const secret = input('secret', { type: 'password', autocomplete: 'new-password', required: !existing, pattern: '[A-Za-z0-9_\\-]{16,64}' })
  const optional = {
    agentId: field(t('connections.agentId'), input('agentId', { value: existing?.agentId ?? '', pattern: '[0-9]{1,10}', required: true }), t('connections.agentIdHint')),
    scope: field(t('connections.scope'), select('scope', SCOPES.map((s) => [s, t(`scope.${s}`)]), existing?.scope ?? 'snsapi_base')),
    envVersion: field(t('connections.envVersion'), select('envVersion', ENV_VERSIONS.map((v) => [v, t(`env.${v}`)]), existing?.envVersion ?? 'release')),
  }
  const showKindFields = () => {
    for (const [name, wrapper] of Object.entries(optional)) {
      const shown = KIND_FIELDS[name] === kindSelect.value
      wrapper.hidden = !shown
      for (const control of wrapper.querySelectorAll('input, select')) control.disabled = !shown
    }
  }
  kindSelect.addEventListener('change', showKindFields)
  showKindFields()
  const saved = await dialog({
    title: existing ? t('connections.editTitle') : t('connections.create'),
    submitLabel: existing ? t('common.save') : t('common.create'),
    body: [
      field(t('connections.kind'), kindSelect),
      field(`${t('common.name')} (${t('common.optional')})`, input('name', { value: existing?.name ?? '', maxlength: 64 }), t('connections.nameHint')),
      field(t('connections.appId'), input('appId', { value: existing?.appId ?? '', required: true, pattern: 'w[wx][A-Za-z0-9]{16}' }), t('connections.appIdHint')),
      optional.agentId,
      field(t('connections.secret'), secret, existing ? t('connections.secretKeep', { hint: existing.secretHint }) : t('connections.secretHint')),
      checkField(t('connections.enabled'), 'enabled', existing?.enabled ?? true),
      field(t('connections.signUp'), select('signUp', SIGN_UPS.map((s) => [s, t(`signUp.${s}`)]), existing?.signUp ?? 'create')),
      optional.scope,
      optional.envVersion,
      field(`${t('connections.position')} (${t('common.optional')})`, numberInput('position', existing?.position, 0, 10000), t('connections.positionHint')),
    ],
    onSubmit: (form) => (existing ? patchConnection(poolId, existing, form, secret) : createConnection(poolId, form, kindSelect.value)),
  })
  if (!saved) return
  toast(existing ? t('common.saved') : t('connections.created'))
  route()
}

function createConnection(poolId, form, kind) {
  const values = readForm(form)
  const body = { kind }
  for (const [key, value] of Object.entries(values)) if (!blank(value)) body[key] = value
  return api('POST', connectionsPath(poolId), { body })
}

function patchConnection(poolId, existing, form, secret) {
  const { secret: newSecret, ...values } = readForm(form)
  const body = nest(changes(values, existing))
  if (newSecret) body.secret = newSecret
  else if ('appId' in body || 'agentId' in body) refuse(secret, t('connections.secretNeeded'))
  if (!Object.keys(body).length) return true
  return api('PATCH', connectionsPath(poolId, `/${existing.id}`), { body })
}

async function deleteConnection(poolId, c) {
  const confirmed = await confirmAction({
    title: t('connections.deleteTitle'),
    message: t('connections.deleteMessage', { name: connectionLabel(c) }),
    confirmLabel: t('common.delete'),
  })
  if (confirmed) await act(() => api('DELETE', connectionsPath(poolId, `/${c.id}`)), t('common.deleted'))
}

/** The pool's app2wxapp connection (`/connections/app2wxapp`): shown and edited in place. */
async function legacyConnectionCard(poolId) {
  let current = null
  try {
    current = await api('GET', connectionsPath(poolId, '/app2wxapp'))
  } catch (err) {
    if (err.status !== 404) throw err
  }
  const errors = h('div', { class: 'form-errors' })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('connections.legacySave'))
  const appSecret = input('appSecret', { type: 'password', autocomplete: 'new-password', required: !current, pattern: '[A-Za-z0-9]{16,64}' })
  const form = h('form', { class: 'stack', 'aria-label': t('connections.legacy') },
    field(t('connections.appId'), input('appId', { value: current?.appId ?? '', required: true, pattern: 'wx[A-Za-z0-9]{16}' })),
    field(t('connections.legacySecret'), appSecret,
      current ? t('connections.secretKeep', { hint: current.appSecretHint }) : t('connections.legacySecretHint')),
    checkField(t('connections.enabled'), 'enabled', current?.enabled ?? true),
    errors,
    h('div', { class: 'row-actions' }, submit,
      current && button(t('connections.legacyDelete'), () => deleteLegacyConnection(poolId), 'danger')))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    await runSubmit(form, errors, submit, async () => {
      const values = readForm(form)
      if (!values.appSecret && current && values.appId !== current.appId) refuse(appSecret, t('connections.secretNeeded'))
      await api('PUT', connectionsPath(poolId, '/app2wxapp'), {
        body: { appId: values.appId, enabled: values.enabled, appSecret: values.appSecret || undefined },
      })
      toast(t('common.saved'))
      route()
    })
  })
  return card(t('connections.legacy'),
    h('p', { class: 'hint' }, t('connections.legacyText')),
    current
      ? facts([
        [t('connections.appId'), mono(current.appId)],
        [t('connections.secretColumn'), mono(current.appSecretHint)],
        [t('connections.status'), badge(t(current.enabled ? 'common.enabled' : 'common.disabled'), current.enabled ? 'ok' : 'neutral')],
        [t('common.updatedAt'), time(current.updatedAt)],
      ])
      : h('p', { class: 'empty' }, t('connections.legacyNone')),
    form)
}

async function deleteLegacyConnection(poolId) {
  const confirmed = await confirmAction({
    title: t('connections.legacyDelete'),
    message: t('connections.legacyDeleteMessage'),
    confirmLabel: t('common.delete'),
  })
  if (confirmed) await act(() => api('DELETE', connectionsPath(poolId, '/app2wxapp')), t('common.deleted'))
}

// --- Applications -------------------------------------------------------------------------------

const APP_TYPES = ['web', 'spa', 'native', 'machine', 'miniprogram']
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange'
/** The grants each type may have (the server's rule, mirrored to offer only those). */
const GRANTS = {
  web: ['authorization_code', 'refresh_token', TOKEN_EXCHANGE],
  spa: ['authorization_code', 'refresh_token'],
  native: ['authorization_code', 'refresh_token'],
  machine: ['client_credentials'],
  miniprogram: [TOKEN_EXCHANGE, 'refresh_token'],
}
const REDIRECTING = new Set(['web', 'spa', 'native'])
const CONFIDENTIAL = new Set(['web', 'machine'])

function applicationsPath(poolId, rest = '') {
  return `/userpools/${encodeURIComponent(poolId)}/applications${rest}`
}

function grantLabel(grant) {
  return grant === TOKEN_EXCHANGE ? 'token_exchange' : grant
}

function applicationsScreen({ me, pool: poolId, query }) {
  const main = screen(me, `${poolId} · ${t('applications.title')}`, {
    pool: poolId,
    actions: [button(t('applications.create'), () => editApplication(poolId, null), 'primary')],
  })
  const slot = h('div')
  main.append(slot)
  const { page, limit } = paging(query)
  fill(slot, async () => {
    const answer = await api('GET', applicationsPath(poolId), { query: { page, limit } })
    return [
      table([
        [t('common.name'), (a) => a.name],
        [t('applications.type'), (a) => t(`appType.${a.type}`)],
        [t('applications.clientId'), (a) => mono(a.clientId)],
        [t('applications.grants'), (a) => a.grantTypes.map(grantLabel).join(', ')],
        [t('common.createdAt'), (a) => time(a.createdAt)],
        [t('common.actions'), (a) => actionsCell(
          button(t('common.edit'), () => editApplication(poolId, a), 'ghost', { 'aria-label': `${t('common.edit')} ${a.name}` }),
          CONFIDENTIAL.has(a.type) && button(t('applications.rotate'), () => rotateApplicationSecret(poolId, a), 'ghost', { 'aria-label': `${t('applications.rotate')} ${a.name}` }),
          button(t('common.delete'), () => deleteApplication(poolId, a), 'danger-ghost', { 'aria-label': `${t('common.delete')} ${a.name}` }))],
      ], answer.items, t('applications.empty'), t('applications.title')),
      pager({ page, limit, total: answer.total }),
    ]
  })
}

/** The form of an application (`existing` null to create one). */
async function editApplication(poolId, existing) {
  let pageConnections = []
  try {
    pageConnections = (await api('GET', connectionsPath(poolId))).items.filter((c) => PAGE_KINDS.has(c.kind))
  } catch (err) {
    return reportFailure(err)
  }
  const typeSelect = select('type', APP_TYPES.map((type) => [type, t(`appType.${type}`)]), existing?.type ?? 'web', { disabled: !!existing })
  const grants = h('fieldset', { class: 'checks' }, h('legend', {}, t('applications.grants')))
  const redirects = h('div', { class: 'stack' },
    field(t('applications.redirectUris'), textarea('redirectUris', (existing?.redirectUris ?? []).join('\n')), t('applications.redirectUrisHint')),
    field(t('applications.logoutUris'), textarea('postLogoutRedirectUris', (existing?.postLogoutRedirectUris ?? []).join('\n')), t('applications.logoutUrisHint')))
  const picker = connectionPicker(pageConnections, existing?.connections ?? null)
  const drawType = () => {
    const type = typeSelect.value
    const chosen = existing?.grantTypes ?? GRANTS[type]
    grants.replaceChildren(h('legend', {}, t('applications.grants')),
      ...GRANTS[type].map((grant) => checkField(grantLabel(grant), `grant:${grant}`, chosen.includes(grant))))
    redirects.hidden = !REDIRECTING.has(type)
    picker.element.hidden = !REDIRECTING.has(type)
  }
  typeSelect.addEventListener('change', drawType)
  drawType()
  const saved = await dialog({
    title: existing ? t('applications.editTitle') : t('applications.create'),
    submitLabel: existing ? t('common.save') : t('common.create'),
    wide: true,
    body: [
      field(t('common.name'), input('name', { value: existing?.name ?? '', required: true, maxlength: 100 })),
      field(t('applications.type'), typeSelect),
      existing && field(t('applications.clientId'), input('clientIdShown', { value: existing.clientId, readonly: true, disabled: true })),
      grants,
      redirects,
      field(`${t('applications.accessTtl')} (${t('common.optional')})`, numberInput('accessTokenTtlSeconds', existing?.accessTokenTtlSeconds, 60, 86400), t('applications.accessTtlHint')),
      field(`${t('applications.refreshTtl')} (${t('common.optional')})`, numberInput('refreshTokenTtlSeconds', existing?.refreshTokenTtlSeconds, 3600, 31536000), t('applications.refreshTtlHint')),
      picker.element,
    ],
    onSubmit: (form) => saveApplication(poolId, existing, form, typeSelect.value, grants, picker),
  })
  if (!saved) return
  if (saved.clientSecret) await showSecret(t('applications.secretTitle', { name: saved.name }), saved.clientSecret)
  toast(existing ? t('common.saved') : t('applications.created'))
  route()
}

/** Which connections the application's login page offers: all (null) or a chosen list, kept in
 * its order (new picks after it, in the pool's order). */
function connectionPicker(available, chosen) {
  const mode = uid('connections-mode')
  const some = h('input', { type: 'radio', name: mode, id: `${mode}-some`, checked: chosen !== null })
  const all = h('input', { type: 'radio', name: mode, id: `${mode}-all`, checked: chosen === null })
  const boxes = available.map((c) => ({
    id: c.id,
    box: h('input', { type: 'checkbox', id: uid('conn'), checked: chosen?.includes(c.id) ?? false }),
    label: `${connectionLabel(c)} (${t(`kind.${c.kind}`)}, ${c.appId})`,
  }))
  const list = h('div', { class: 'checks-list' },
    boxes.map(({ box, label }) => h('div', { class: 'field field-check' }, box, h('label', { for: box.id }, label))))
  const sync = () => {
    for (const { box } of boxes) box.disabled = !some.checked
  }
  some.addEventListener('change', sync)
  all.addEventListener('change', sync)
  sync()
  const element = h('fieldset', { class: 'checks' }, h('legend', {}, t('applications.connections')),
    h('div', { class: 'field field-check' }, all, h('label', { for: all.id }, t('applications.connectionsAll'))),
    available.length
      ? [h('div', { class: 'field field-check' }, some, h('label', { for: some.id }, t('applications.connectionsSome'))), list]
      : h('p', { class: 'hint' }, t('applications.connectionsNone')))
  const value = () => {
    if (!some.checked) return null
    const picked = boxes.filter(({ box }) => box.checked).map(({ id }) => id)
    const kept = (chosen ?? []).filter((id) => picked.includes(id))
    return [...kept, ...picked.filter((id) => !kept.includes(id))]
  }
  return { element, value, anchor: some }
}

function saveApplication(poolId, existing, form, type, grants, picker) {
  const values = readForm(form)
  const grantTypes = GRANTS[type].filter((grant) => values[`grant:${grant}`])
  if (!grantTypes.length) refuse(grants.querySelector('input'), t('applications.pickGrant'))
  const connections = REDIRECTING.has(type) ? picker.value() : null
  if (connections && !connections.length) refuse(picker.anchor, t('applications.pickConnection'))
  const wanted = {
    name: values.name,
    grantTypes,
    accessTokenTtlSeconds: values.accessTokenTtlSeconds,
    refreshTokenTtlSeconds: values.refreshTokenTtlSeconds,
  }
  if (REDIRECTING.has(type)) {
    wanted.redirectUris = lines(values.redirectUris)
    wanted.postLogoutRedirectUris = lines(values.postLogoutRedirectUris)
    wanted.connections = connections
  }
  if (!existing) {
    const body = { type }
    for (const [key, value] of Object.entries(wanted)) if (value !== null) body[key] = value
    return api('POST', applicationsPath(poolId), { body })
  }
  const body = {}
  for (const [key, value] of Object.entries(wanted)) {
    const before = existing[key] ?? null
    const same = Array.isArray(value) && Array.isArray(before) ? sameList(value, before) : value === before
    if (!same && !(value === null && key.endsWith('TtlSeconds'))) body[key] = value
  }
  if (!Object.keys(body).length) return true
  return api('PATCH', applicationsPath(poolId, `/${existing.clientId}`), { body })
}

async function rotateApplicationSecret(poolId, a) {
  const confirmed = await confirmAction({
    title: t('applications.rotateTitle'),
    message: t('applications.rotateMessage', { name: a.name }),
    confirmLabel: t('applications.rotate'),
  })
  if (!confirmed) return
  let rotated
  try {
    rotated = await api('POST', applicationsPath(poolId, `/${a.clientId}/secret/rotate`))
  } catch (err) {
    return reportFailure(err)
  }
  await showSecret(t('applications.secretTitle', { name: a.name }), rotated.clientSecret)
}

async function deleteApplication(poolId, a) {
  const confirmed = await confirmAction({
    title: t('applications.deleteTitle'),
    message: t('applications.deleteMessage', { name: a.name }),
    confirmLabel: t('common.delete'),
  })
  if (confirmed) await act(() => api('DELETE', applicationsPath(poolId, `/${a.clientId}`)), t('common.deleted'))
}

// --- Users --------------------------------------------------------------------------------------

const USER_FILTERS = ['phone', 'openid', 'unionid']
/** The fields of a new user, as the CSV import's columns. */
const CREATE_USER_FIELDS = ['phone', 'email', 'username', 'nickname', 'photo', 'company', 'metadata']
const EXPORT_COLUMNS = [
  'id', 'username', 'nickname', 'phone', 'email', 'emailVerified', 'company', 'photo', 'appId', 'openid',
  'unionid', 'registerMethod', 'blocked', 'loginsCount', 'lastLogin', 'lastIp', 'signedUp', 'updatedAt', 'metadata',
]
const IMPORT_MAX_ROWS = 10_000
const IMPORT_MAX_MIB = 16
const IMPORT_WORKERS = 4
const EXPORT_MAX_ROWS = 100_000

function usersPath(poolId, rest = '') {
  return `/userpools/${encodeURIComponent(poolId)}/users${rest}`
}

/** The list's filter from the address (one of phone, openid, unionid). */
function userFilter(query) {
  const by = USER_FILTERS.find((name) => query.get(name))
  return by ? { [by]: query.get(by) } : {}
}

function userLabel(user) {
  return user.nickname ?? user.username ?? user.phone ?? user.email ?? user.id
}

function usersScreen({ me, pool: poolId, query }) {
  const filter = userFilter(query)
  const status = h('div', { class: 'status-line', role: 'status' })
  const main = screen(me, `${poolId} · ${t('users.title')}`, {
    pool: poolId,
    actions: [
      button(t('users.export'), () => exportUsers(poolId, filter, status)),
      button(t('users.import'), () => importUsers(poolId)),
      button(t('users.create'), () => createUser(poolId), 'primary'),
    ],
  })
  const slot = h('div')
  main.append(userSearch(filter), status, slot)
  const { page, limit } = paging(query)
  fill(slot, async () => {
    const answer = await api('GET', usersPath(poolId), { query: { ...filter, page, limit } })
    return [
      table([
        [t('users.user'), (u) => link(userLabel(u), hashOf(poolPath(poolId, 'users', u.id)))],
        [t('users.phone'), (u) => text(u.phone)],
        [t('users.email'), (u) => text(u.email)],
        [t('users.openid'), (u) => (u.openid ? mono(u.openid) : t('common.none'))],
        [t('users.registerMethod'), (u) => u.registerMethod],
        [t('users.status'), (u) => userStatus(u)],
        [t('users.lastLogin'), (u) => time(u.lastLogin)],
        [t('users.signedUp'), (u) => time(u.signedUp)],
      ], answer.items, t(Object.keys(filter).length ? 'users.emptySearch' : 'users.empty'), t('users.title')),
      pager({ page, limit, total: answer.total }),
    ]
  })
}

function userStatus(user) {
  return user.blocked ? badge(t('users.blocked'), 'danger') : badge(t('users.active'), 'ok')
}

function userSearch(filter) {
  const [by = 'phone', value = ''] = Object.entries(filter)[0] ?? []
  const form = h('form', { class: 'search', role: 'search' },
    field(t('users.searchBy'), select('by', USER_FILTERS.map((name) => [name, t(`users.${name}`)]), by)),
    field(t('users.searchValue'), input('value', { type: 'search', value, maxlength: 128 })),
    h('button', { type: 'submit', class: 'btn btn-primary' }, t('common.search')),
    button(t('common.clear'), () => setQuery({ phone: '', openid: '', unionid: '', page: '' })))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const values = readForm(form)
    setQuery({ phone: '', openid: '', unionid: '', page: '', [values.by]: values.value })
  })
  return form
}

/** The fields of the user form; `user` null for a new user. */
function userFields(user) {
  return [
    field(t('users.phone'), input('phone', { value: user?.phone ?? '', type: 'tel', maxlength: 21, pattern: '\\+?[0-9]{5,20}' })),
    field(t('users.email'), input('email', { value: user?.email ?? '', type: 'email', maxlength: 254 })),
    user && checkField(t('users.emailVerified'), 'emailVerified', user.emailVerified),
    field(t('users.username'), input('username', { value: user?.username ?? '', maxlength: 128 })),
    field(t('users.nickname'), input('nickname', { value: user?.nickname ?? '', maxlength: 128 })),
    field(t('users.photo'), input('photo', { value: user?.photo ?? '', type: 'url', maxlength: 1024, pattern: 'https?://.*' })),
    field(t('users.company'), input('company', { value: user?.company ?? '', maxlength: 128 })),
    field(t('users.metadata'), textarea('metadata', user && Object.keys(user.metadata ?? {}).length ? JSON.stringify(user.metadata, null, 2) : '')),
  ]
}

async function createUser(poolId) {
  const created = await dialog({
    title: t('users.create'),
    submitLabel: t('common.create'),
    body: userFields(null),
    onSubmit: (form) => {
      const values = readForm(form)
      const metadata = parseMetadata(form.elements.namedItem('metadata'))
      if (!values.phone && !values.email && !values.username) refuse(form.elements.namedItem('phone'), t('users.needOne'))
      const body = {}
      for (const [key, value] of Object.entries(values)) if (value && key !== 'metadata') body[key] = value
      if (metadata) body.metadata = metadata
      return api('POST', usersPath(poolId), { body })
    },
  })
  if (!created) return
  toast(t('users.created'))
  go(poolPath(poolId, 'users', created.id))
}

async function exportUsers(poolId, filter, status) {
  status.replaceChildren()
  try {
    const { items, capped } = await fetchAll(usersPath(poolId), filter, EXPORT_MAX_ROWS,
      (count, total) => status.replaceChildren(t('users.exporting', { count, total })))
    download(fileName(`users-${poolId}`, 'csv'), 'text/csv;charset=utf-8', `\uFEFF${toCsv(EXPORT_COLUMNS, items)}`)
    status.replaceChildren(t('users.exported', { count: items.length }), capped ? ` ${t('audit.exportCapped', { count: items.length })}` : '')
  } catch (err) {
    showError(status, err)
  }
}

function importUsers(poolId) {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,text/csv', required: true })
  const results = h('div', { class: 'import-results' })
  return dialog({
    title: t('users.importTitle'),
    wide: true,
    submitLabel: t('users.importStart'),
    cancelLabel: t('common.close'),
    body: [
      h('p', {}, t('users.importText', { fields: CREATE_USER_FIELDS.join(', '), max: IMPORT_MAX_ROWS })),
      field(t('users.importFile'), file),
      results,
    ],
    onSubmit: async () => {
      await runImport(poolId, file.files[0], results)
      return KEEP_OPEN
    },
  }).then(() => route())
}

/** Reads the file and creates one user per row, a few at a time, drawing each row's outcome. */
async function runImport(poolId, file, results) {
  const refusal = (message) => results.replaceChildren(noticeAlert(message, 'error'))
  if (!file) return
  if (file.size > IMPORT_MAX_MIB * 1024 * 1024) return refusal(t('users.importTooLarge', { size: IMPORT_MAX_MIB }))
  let rows
  try {
    rows = parseCsv(await file.text()).filter((row) => row.some((cell) => cell.trim() !== ''))
  } catch (err) {
    return refusal(t('users.importBadCsv', { reason: err.message }))
  }
  const [header = [], ...data] = rows
  const columns = header.map((name) => name.trim())
  const unknown = columns.filter((name) => !CREATE_USER_FIELDS.includes(name))
  if (unknown.length) return refusal(t('users.importBadHeader', { columns: unknown.join(', '), fields: CREATE_USER_FIELDS.join(', ') }))
  const twice = columns.filter((name, i) => columns.indexOf(name) !== i)
  if (twice.length) return refusal(t('users.importDuplicateHeader', { columns: twice.join(', ') }))
  if (!data.length) return refusal(t('users.importEmpty'))
  if (data.length > IMPORT_MAX_ROWS) return refusal(t('users.importTooMany', { count: data.length, max: IMPORT_MAX_ROWS }))
  const progress = h('p', { role: 'status' })
  const body = h('tbody')
  results.replaceChildren(progress, h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, [t('users.importRow'), t('users.importResult'), t('users.importMessage')].map((label) => h('th', { scope: 'col' }, label)))),
    body)))
  const outcomes = new Array(data.length)
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < data.length) {
      const index = next
      next += 1
      outcomes[index] = await importRow(poolId, columns, data[index])
      done += 1
      progress.textContent = t('users.importing', { done, total: data.length })
    }
  }
  await Promise.all(Array.from({ length: IMPORT_WORKERS }, worker))
  const failed = outcomes.filter((outcome) => !outcome.user).length
  progress.textContent = t('users.importDone', { created: data.length - failed, failed })
  body.append(...outcomes.map((outcome, i) => importResultRow(poolId, i + 2, outcome)))
}

/** Creates the user of one row: `{user}` or `{error}` (a message); never throws but for an
 * ended session. */
async function importRow(poolId, columns, row) {
  const body = {}
  for (const [i, name] of columns.entries()) {
    const cell = unguard((row[i] ?? '').trim())
    if (cell) body[name] = cell
  }
  if ('metadata' in body) {
    try {
      body.metadata = JSON.parse(body.metadata)
    } catch {
      return { error: t('users.metadataInvalid') }
    }
  }
  try {
    return { user: await api('POST', usersPath(poolId), { body }) }
  } catch (err) {
    if (err instanceof SessionEnded) throw err
    const { summary, detail } = describeError(err)
    return { error: [summary, detail].filter(Boolean).join(' ') }
  }
}

function importResultRow(poolId, rowNumber, { user, error }) {
  return h('tr', { class: user ? 'result-ok' : 'result-failed' },
    h('td', {}, String(rowNumber)),
    h('td', {}, user ? badge(t('users.importCreated'), 'ok') : badge(t('users.importFailed'), 'danger')),
    h('td', {}, user ? link(user.id, hashOf(poolPath(poolId, 'users', user.id))) : error))
}

// --- One user -----------------------------------------------------------------------------------

function userScreen({ me, pool: poolId, user: userId }) {
  const main = screen(me, t('users.detail'), { pool: poolId })
  const slot = h('div', { class: 'stack' })
  main.append(slot)
  const path = usersPath(poolId, `/${encodeURIComponent(userId)}`)
  fill(slot, async () => {
    const [user, identities] = await Promise.all([api('GET', path), api('GET', `${path}/identities`)])
    main.querySelector('h1').textContent = `${t('users.detail')}: ${userLabel(user)}`
    return [
      h('div', { class: 'row-actions' },
        button(t('common.edit'), () => editUser(path, user), 'primary'),
        user.blocked
          ? button(t('users.unblock'), () => act(() => api('PATCH', path, { body: { blocked: false } }), t('users.unblockedDone')))
          : button(t('users.block'), () => blockUser(path), 'danger'),
        button(t('common.delete'), () => deleteUser(poolId, path, user), 'danger')),
      card(t('users.detail'), userFacts(user)),
      card(t('users.identities'), table([
        [t('users.identityKind'), (i) => t(`kind.${i.kind}`)],
        [t('users.appId'), (i) => mono(i.appId)],
        [t('users.openid'), (i) => mono(i.openid)],
        [t('users.unionid'), (i) => (i.unionid ? mono(i.unionid) : t('common.none'))],
        [t('common.createdAt'), (i) => time(i.createdAt)],
        [t('users.lastLogin'), (i) => time(i.lastLogin)],
        [t('common.actions'), (i) => button(t('users.unlink'), () => unlinkIdentity(path, i), 'danger-ghost', { 'aria-label': `${t('users.unlink')} ${i.openid}` })],
      ], identities.items, t('users.identitiesEmpty'), t('users.identities'))),
    ]
  })
}

function userFacts(user) {
  const json = (value) => h('pre', { class: 'json' }, JSON.stringify(value, null, 2))
  return facts([
    [t('common.id'), mono(user.id)],
    [t('users.status'), userStatus(user)],
    [t('users.username'), text(user.username)],
    [t('users.nickname'), text(user.nickname)],
    [t('users.phone'), text(user.phone)],
    [t('users.email'), text(user.email)],
    [t('users.emailVerified'), t(user.emailVerified ? 'common.yes' : 'common.no')],
    [t('users.company'), text(user.company)],
    [t('users.photo'), text(user.photo)],
    [t('users.appId'), text(user.appId)],
    [t('users.openid'), text(user.openid)],
    [t('users.unionid'), text(user.unionid)],
    [t('users.registerMethod'), user.registerMethod],
    [t('users.loginsCount'), String(user.loginsCount)],
    [t('users.lastLogin'), time(user.lastLogin)],
    [t('users.lastIp'), text(user.lastIp)],
    [t('users.signedUp'), time(user.signedUp)],
    [t('common.updatedAt'), time(user.updatedAt)],
    [t('users.metadata'), json(user.metadata)],
    user.oauth && [t('users.oauth'), json(user.oauth)],
  ].filter(Boolean))
}

async function editUser(path, user) {
  const saved = await dialog({
    title: t('users.editTitle'),
    submitLabel: t('common.save'),
    body: [h('p', { class: 'hint' }, t('users.clearHint')), userFields(user)],
    onSubmit: (form) => {
      const values = readForm(form)
      delete values.metadata
      const body = nest(changes(values, user))
      const metadata = parseMetadata(form.elements.namedItem('metadata')) ?? {}
      if (JSON.stringify(metadata) !== JSON.stringify(user.metadata ?? {})) body.metadata = metadata
      if (!Object.keys(body).length) return true
      return api('PATCH', path, { body })
    },
  })
  if (saved) {
    toast(t('common.saved'))
    route()
  }
}

async function blockUser(path) {
  const confirmed = await confirmAction({ title: t('users.blockTitle'), message: t('users.blockMessage'), confirmLabel: t('users.block') })
  if (confirmed) await act(() => api('PATCH', path, { body: { blocked: true } }), t('users.blockedDone'))
}

async function deleteUser(poolId, path, user) {
  const confirmed = await confirmAction({
    title: t('users.deleteTitle'),
    message: t('users.deleteMessage', { name: userLabel(user) }),
    confirmLabel: t('common.delete'),
    typeToConfirm: user.id,
  })
  if (!confirmed) return
  try {
    await api('DELETE', path)
  } catch (err) {
    return reportFailure(err)
  }
  toast(t('common.deleted'))
  go(poolPath(poolId, 'users'))
}

async function unlinkIdentity(path, identity) {
  const confirmed = await confirmAction({
    title: t('users.unlinkTitle'),
    message: t('users.unlinkMessage', { appId: identity.appId, openid: identity.openid }),
    confirmLabel: t('users.unlink'),
  })
  if (confirmed) await act(() => api('DELETE', `${path}/identities/${encodeURIComponent(identity.id)}`), t('users.unlinked'))
}

// --- Signing keys -------------------------------------------------------------------------------

const KEY_TONES = { active: 'ok', next: 'info', retired: 'neutral' }

function keysScreen({ me, pool: poolId }) {
  const keysPath = `/userpools/${encodeURIComponent(poolId)}/keys`
  const main = screen(me, `${poolId} · ${t('keys.title')}`, {
    pool: poolId,
    actions: [button(t('keys.rotate'), () => rotateKey(keysPath), 'primary')],
  })
  const slot = h('div')
  main.append(h('p', { class: 'explain' }, t('keys.explain')), slot)
  fill(slot, async () => {
    const { items } = await api('GET', keysPath)
    return table([
      [t('keys.kid'), (k) => mono(k.kid)],
      [t('keys.algorithm'), (k) => k.algorithm],
      [t('keys.status'), (k) => badge(t(`keyStatus.${k.status}`), KEY_TONES[k.status])],
      [t('common.createdAt'), (k) => time(k.createdAt)],
      [t('keys.retiredAt'), (k) => time(k.retiredAt)],
      [t('keys.publishedUntil'), (k) => time(k.publishedUntil)],
    ], items, t('keys.empty'), t('keys.title'))
  })
}

async function rotateKey(keysPath) {
  const confirmed = await confirmAction({ title: t('keys.rotateTitle'), message: t('keys.rotateMessage'), confirmLabel: t('keys.rotate') })
  if (!confirmed) return
  let key
  try {
    key = await api('POST', `${keysPath}/rotate`)
  } catch (err) {
    return reportFailure(err)
  }
  toast(t('keys.rotated', { kid: key.kid }))
  route()
}

// --- Audit log ----------------------------------------------------------------------------------

const AUDIT_ACTIONS = [
  'admin.login', 'admin.create', 'admin.delete', 'admin.password.change', 'admin.tokens.revoke',
  'pool.login', 'pool.create', 'pool.update', 'pool.delete', 'pool.secret.rotate', 'key.rotate',
  'connection.put', 'connection.delete', 'connection.create', 'connection.update', 'user.create',
  'user.update', 'user.block', 'user.unblock', 'user.delete', 'user.identity.unlink', 'user.merge',
  'user.signup.refused', 'application.create', 'application.update', 'application.delete',
  'application.secret.rotate', 'app2wxapp.login', 'app2wxapp.exchange', 'wxapp_qrcode.login',
  'qrcode.userinfo', 'wechat_web.login', 'oidc.token', 'oidc.replay',
]
const AUDIT_FILTERS = ['action', 'outcome', 'actor', 'target', 'since', 'until']
const AUDIT_COLUMNS = ['createdAt', 'actor', 'action', 'target', 'outcome', 'reason', 'ip', 'id']

function poolAuditScreen({ me, pool: poolId, query }) {
  const main = screen(me, `${poolId} · ${t('audit.title')}`, { pool: poolId })
  auditView(main, `/userpools/${encodeURIComponent(poolId)}/audit-events`, query, `audit-${poolId}`, t('audit.targetHint'))
}

function platformAuditScreen({ me, query }) {
  const main = screen(me, t('audit.platformTitle'))
  auditView(main, '/audit-events', query, 'audit-platform', t('audit.platformTargetHint'))
}

/** The filters from the address (`since` and `until` as RFC 3339 UTC). */
function auditFilter(query) {
  return Object.fromEntries(AUDIT_FILTERS.filter((name) => query.get(name)).map((name) => [name, query.get(name)]))
}

function auditView(main, path, query, stem, targetHint) {
  const filter = auditFilter(query)
  const status = h('div', { class: 'status-line', role: 'status' })
  const slot = h('div')
  main.querySelector('.toolbar').append(
    button(t('audit.exportCsv'), () => exportAudit(path, filter, stem, 'csv', status)),
    button(t('audit.exportJson'), () => exportAudit(path, filter, stem, 'jsonl', status)))
  main.append(auditFilters(filter, targetHint), status, slot)
  const { page, limit } = paging(query)
  fill(slot, async () => {
    const answer = await api('GET', path, { query: { ...filter, page, limit } })
    return [
      table([
        [t('audit.time'), (e) => time(e.createdAt)],
        [t('audit.actor'), (e) => mono(e.actor)],
        [t('audit.action'), (e) => mono(e.action)],
        [t('audit.target'), (e) => (e.target ? mono(e.target) : t('common.none'))],
        [t('audit.outcome'), (e) => badge(t(`outcome.${e.outcome}`), e.outcome === 'success' ? 'ok' : 'danger')],
        [t('audit.reason'), (e) => text(e.reason)],
        [t('audit.ip'), (e) => text(e.ip)],
      ], answer.items, t('audit.empty'), t('audit.title')),
      pager({ page, limit, total: answer.total }),
    ]
  })
}

function auditFilters(filter, targetHint) {
  const form = h('form', { class: 'filters', 'aria-label': t('audit.filters') },
    field(t('audit.action'), select('action', [['', t('audit.any')], ...AUDIT_ACTIONS.map((a) => [a, a])], filter.action ?? '')),
    field(t('audit.outcome'), select('outcome', [['', t('audit.any')], ['success', t('outcome.success')], ['failure', t('outcome.failure')]], filter.outcome ?? '')),
    field(t('audit.actor'), input('actor', { value: filter.actor ?? '', maxlength: 128, placeholder: t('audit.actorHint') })),
    field(t('audit.target'), input('target', { value: filter.target ?? '', maxlength: 128, placeholder: targetHint })),
    field(t('audit.from'), input('since', { type: 'datetime-local', value: toLocalInput(filter.since) })),
    field(t('audit.to'), input('until', { type: 'datetime-local', value: toLocalInput(filter.until) })),
    h('div', { class: 'filters-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, t('audit.apply')),
      button(t('common.clear'), () => setQuery({}, true))))
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const values = readForm(form)
    setQuery({ ...values, since: toUtc(values.since), until: toUtc(values.until) }, true)
  })
  return form
}

/** A `datetime-local` value (the reader's zone) as RFC 3339 UTC; empty stays empty. */
function toUtc(local) {
  if (!local) return ''
  const date = new Date(local)
  return Number.isNaN(date.getTime()) ? '' : date.toISOString()
}

/** RFC 3339 as a `datetime-local` value in the reader's zone. */
function toLocalInput(iso) {
  if (!iso) return ''
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return ''
  const pad = (n) => String(n).padStart(2, '0')
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`
}

async function exportAudit(path, filter, stem, format, status) {
  status.replaceChildren()
  try {
    const { items, capped } = await fetchAll(path, filter, EXPORT_MAX_ROWS,
      (count, total) => status.replaceChildren(t('audit.exporting', { count, total })))
    if (format === 'csv') download(fileName(stem, 'csv'), 'text/csv;charset=utf-8', `\uFEFF${toCsv(AUDIT_COLUMNS, items)}`)
    else download(fileName(stem, 'jsonl'), 'application/x-ndjson', items.map((e) => `${JSON.stringify(e)}\n`).join(''))
    status.replaceChildren(t('audit.exported', { count: items.length }), capped ? ` ${t('audit.exportCapped', { count: items.length })}` : '')
  } catch (err) {
    showError(status, err)
  }
}

// --- Platform admins ----------------------------------------------------------------------------

function adminsScreen({ me, query }) {
  const main = screen(me, t('admins.title'), { actions: [button(t('admins.create'), createAdmin, 'primary')] })
  const slot = h('div')
  main.append(slot)
  const { page, limit } = paging(query)
  fill(slot, async () => {
    const answer = await api('GET', '/admins', { query: { page, limit } })
    return [
      table([
        [t('admins.username'), (a) => [a.username, a.username === me.name && [' ', badge(t('common.you'), 'info')]]],
        [t('common.id'), (a) => mono(a.id)],
        [t('common.createdAt'), (a) => time(a.createdAt)],
        [t('admins.lastLogin'), (a) => time(a.lastLoginAt)],
        [t('common.actions'), (a) => actionsCell(
          button(t('admins.revoke'), () => revokeAdmin(me, a), 'ghost', { 'aria-label': `${t('admins.revoke')} ${a.username}` }),
          button(t('common.delete'), () => deleteAdmin(me, a), 'danger-ghost', { 'aria-label': `${t('common.delete')} ${a.username}` }))],
      ], answer.items, t('admins.empty'), t('admins.title')),
      pager({ page, limit, total: answer.total }),
    ]
  })
}

/** A new password and its repetition; `check(form)` refuses a mismatch. */
function passwordPair(name, label, repeatLabel) {
  const first = input(name, { type: 'password', required: true, minlength: 8, maxlength: 1024, autocomplete: 'new-password' })
  const again = input(`${name}Again`, { type: 'password', required: true, minlength: 8, maxlength: 1024, autocomplete: 'new-password' })
  return {
    fields: [field(label, first, t('admins.passwordHint')), field(repeatLabel, again)],
    check: () => {
      if (first.value !== again.value) refuse(again, t('admins.mismatch'))
      return first.value
    },
  }
}

async function createAdmin() {
  const password = passwordPair('password', t('admins.password'), t('admins.repeat'))
  const created = await dialog({
    title: t('admins.create'),
    submitLabel: t('common.create'),
    body: [
      field(t('admins.username'), input('username', { required: true, maxlength: 64, pattern: '[A-Za-z0-9._@\\-]+' }), t('admins.usernameHint')),
      password.fields,
    ],
    onSubmit: (form) => api('POST', '/admins', { body: { username: readForm(form).username, password: password.check() } }),
  })
  if (!created) return
  toast(t('admins.created', { username: created.username }))
  route()
}

async function revokeAdmin(me, admin) {
  const confirmed = await confirmAction({
    title: t('admins.revokeTitle'),
    message: t('admins.revokeMessage', { username: admin.username }),
    confirmLabel: t('admins.revoke'),
  })
  if (!confirmed) return
  try {
    await api('POST', `/admins/${encodeURIComponent(admin.id)}/revoke-tokens`)
  } catch (err) {
    return reportFailure(err)
  }
  if (admin.username === me.name) return signOut('tokensRevoked')
  toast(t('admins.revoked', { username: admin.username }))
}

async function deleteAdmin(me, admin) {
  const confirmed = await confirmAction({
    title: t('admins.deleteTitle'),
    message: t('admins.deleteMessage', { username: admin.username }),
    confirmLabel: t('common.delete'),
    typeToConfirm: admin.username,
  })
  if (!confirmed) return
  try {
    await api('DELETE', `/admins/${encodeURIComponent(admin.id)}`)
  } catch (err) {
    return reportFailure(err)
  }
  if (admin.username === me.name) return signOut('accountDeleted')
  toast(t('common.deleted'))
  route()
}

function passwordScreen({ me }) {
  const main = screen(me, t('password.title'))
  const password = passwordPair('newPassword', t('password.new'), t('password.repeat'))
  const errors = h('div', { class: 'form-errors' })
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, t('password.submit'))
  const form = h('form', { class: 'stack narrow' },
    h('p', {}, t('password.text')),
    h('input', { type: 'text', name: 'username', autocomplete: 'username', value: me.name, hidden: true, readonly: true }),
    field(t('password.current'), input('currentPassword', { type: 'password', required: true, maxlength: 1024, autocomplete: 'current-password' })),
    password.fields,
    errors,
    h('div', {}, submit))
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    await runSubmit(form, errors, submit, async () => {
      const newPassword = password.check()
      const { currentPassword } = readForm(form)
      try {
        await api('PUT', '/admins/me/password', { body: { currentPassword, newPassword }, own401: true })
      } catch (err) {
        if (err.status !== 401) throw err
        errors.replaceChildren(noticeAlert(t('password.wrong'), 'error'))
        return
      }
      signOut('passwordChanged')
    })
  })
  main.append(form)
}

// --- Start --------------------------------------------------------------------------------------

document.body.append(toasts)
route()
