// A typed client for Tessera's API: openapi-fetch over the types that openapi-typescript generates
// from openapi/openapi.yaml (src/schema.ts; regenerate with scripts/generate-clients).
//
//   const tessera = createTesseraClient({ baseUrl: 'https://id.example.com' })
//   const user = unwrap(await tessera.POST('/oauth/app2wxapp/auth/{userPoolId}', {
//     params: { path: { userPoolId } },
//     body: { ticket, secret },
//   }))

import createClient, { type Client, type Middleware } from 'openapi-fetch'
import type { components, paths } from './schema.js'

export type { components, paths }

/** The API's schemas by name, e.g. `Schemas['ExchangedUser']`. */
export type Schemas = components['schemas']

/** Every error answers this shape: `code` is the HTTP status, `error` a stable snake_case name. */
export type ErrorBody = Schemas['ErrorBody']

export interface TesseraClientOptions {
  /** Tessera's public URL, e.g. `https://id.example.com`. */
  baseUrl: string
  /** A bearer token for the admin API (`/api/v1`): a platform admin's or a pool's. */
  token?: string
  /** A `fetch` of your own (defaults to the global one). */
  fetch?: typeof globalThis.fetch
}

/** A client whose every path, parameter, body and answer is typed from the OpenAPI document. */
export function createTesseraClient(options: TesseraClientOptions): Client<paths> {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  })
  if (options.token) client.use(bearer(options.token))
  return client
}

/** Sends `Authorization: Bearer <token>` with every request. */
export function bearer(token: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${token}`)
      return request
    },
  }
}

/** An answer other than 2xx, in the documented error shape. */
export class TesseraError extends Error {
  readonly status: number
  readonly error: string
  readonly retryAfter: number | undefined

  constructor(status: number, body: Partial<ErrorBody> | undefined, retryAfter: string | null) {
    super(body?.message ?? `Tessera answered ${status}`)
    this.name = 'TesseraError'
    this.status = status
    this.error = body?.error ?? 'unknown'
    this.retryAfter = retryAfter ? Number(retryAfter) : undefined
  }
}

/** The answer's data, or a `TesseraError` thrown for an error answer. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new TesseraError(
      result.response.status,
      result.error as Partial<ErrorBody> | undefined,
      result.response.headers.get('retry-after'),
    )
  }
  return result.data as T
}
