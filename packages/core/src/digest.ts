/** Checksums of untrusted bytes (downloads, saved weights), the same in Node and browsers. */

/** True when SHA-256 can be computed here (SubtleCrypto: Node >= 20, workers, https:// pages and localhost). */
export function sha256Available(): boolean {
  return globalThis.crypto?.subtle !== undefined;
}

/** SHA-256 of `bytes` as 64 lowercase hex digits, with SubtleCrypto (browsers, Node >= 20, workers). */
export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    throw new Error(
      'SHA-256 needs SubtleCrypto (crypto.subtle), which browsers only offer on https:// pages and localhost; ' +
        'serve the page over https to load verified files.',
    );
  }
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const digest = await subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
