const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/** `<Name>value</Name>` for each defined entry; nested strings are trusted XML. */
export function elements(fields: Record<string, string | number | undefined>): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
    .join('');
}

export const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** The Query-protocol envelope every STS action answers with. */
export function stsResponse(action: string, resultXml: string, requestId: string): { status: number; headers: Record<string, string>; body: string } {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<${action}Response xmlns="${STS_NAMESPACE}">` +
    `<${action}Result>${resultXml}</${action}Result>` +
    `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata>` +
    `</${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}
