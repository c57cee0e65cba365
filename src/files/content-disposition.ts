/**
 * `attachment; filename*=UTF-8''<name>` with the name percent-encoded as
 * RFC 8187 requires (encodeURIComponent leaves `'()*` alone, which the
 * attr-char grammar does not allow).
 */
export function attachmentDisposition(name: string): string {
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename*=UTF-8''${encoded}`;
}
