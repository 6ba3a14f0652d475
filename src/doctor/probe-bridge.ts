// One PROPFIND Depth 0 on a bridge URL, the cheapest request that tells
// "answering" from "down", "logged out / renamed" and "hung". node:http
// directly, one connection per request (MEGA's bridge closes every
// connection; a kept-alive socket would be reset), bounded by timeoutMs.
import http from 'node:http'
import https from 'node:https'
import { INTERNAL_DEFAULTS } from '../config/types.js'

export type ProbeResult =
  | { kind: 'ok'; status: number }
  | { kind: 'status'; status: number }
  | { kind: 'refused'; message: string }
  | { kind: 'timeout'; timeoutMs: number }
  | { kind: 'error'; message: string }

export const BRIDGE_PROBE_TIMEOUT_MS = INTERNAL_DEFAULTS.doctorProbeTimeoutMs

export function probeBridge(url: string, timeoutMs: number = BRIDGE_PROBE_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let target: URL
    try {
      target = new URL(url)
    } catch {
      return resolve({ kind: 'error', message: `not a URL: ${url}` })
    }
    const transport = target.protocol === 'https:' ? https : http
    let settled = false
    const done = (result: ProbeResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(result)
    }
    const request = transport.request(target, {
      method: 'PROPFIND',
      agent: false, // a fresh connection, closed after the answer
      // 'Depth' spelled as MEGA's bridge expects; its value is read like atoi.
      headers: { Depth: '0', 'Content-Length': '0', Connection: 'close' },
    })
    const timer = setTimeout(() => {
      done({ kind: 'timeout', timeoutMs })
      request.destroy()
    }, timeoutMs)
    request.on('response', (response) => {
      response.resume()
      const status = response.statusCode ?? 0
      done(status === 207 || status === 200 ? { kind: 'ok', status } : { kind: 'status', status })
    })
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done({ kind: 'refused', message: err.message })
      else done({ kind: 'error', message: err.message })
    })
    request.end()
  })
}
