// Read-ahead windows that start on a memory page, so the disk cache can write
// them with O_DIRECT (disk-cache.ts, "direct writes"). Linux takes a direct
// write only from memory aligned to the disk's logical block. A Buffer of
// megabytes comes from malloc, whose large blocks begin 16 bytes into a
// page. JavaScript cannot see an address, but a WebAssembly.Memory is mapped
// by V8 on a page boundary: its ArrayBuffer is the aligned window. Each one
// reserves about 10 GiB of address space (V8's guard region for WebAssembly
// bounds checks). That is only reserved, never resident, but it shows in the
// daemon's VIRT. Where a memory cannot be had, the window is an ordinary
// Buffer, and the disk cache writes it through the page cache as before.

/** Memory pages as Linux counts them on x86-64 and arm64 (4 KiB), a multiple
 *  of every disk's logical block up to 4 KiB. */
export const PAGE_BYTES = 4096
/** WebAssembly memories grow in pages of 64 KiB. */
const WASM_PAGE_BYTES = 64 * 1024

// The ArrayBuffers of the memories handed out, to tell their views apart.
const aligned = new WeakSet<ArrayBufferLike>()

/** A buffer of length bytes starting on a memory page (an ordinary Buffer
 *  when no WebAssembly memory can be had), for a window: what it holds at
 *  first is unspecified. */
export function pageAlignedBuffer(length: number): Buffer {
  const pages = Math.max(1, Math.ceil(length / WASM_PAGE_BYTES))
  let memory: WebAssembly.Memory
  try {
    memory = new WebAssembly.Memory({ initial: pages, maximum: pages })
  } catch {
    return Buffer.allocUnsafeSlow(length)
  }
  aligned.add(memory.buffer)
  return Buffer.from(memory.buffer, 0, length)
}

/** Whether data's first byte is on a memory page: a view at a multiple of
 *  PAGE_BYTES into a buffer from pageAlignedBuffer. */
export function isPageAligned(data: Buffer): boolean {
  return data.byteOffset % PAGE_BYTES === 0 && aligned.has(data.buffer)
}
