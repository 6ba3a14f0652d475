/** RFC 1123 date as MEGA writes creationdate and getlastmodified
 *  (not the ISO 8601 that RFC 4918 asks for creationdate). */
export function rfc1123(timeMs: number): string {
  return new Date(timeMs).toUTCString()
}
