/** A stored object body is one or more blobs laid end to end (a completed multipart upload keeps its part blobs). */
export interface Segment {
  blob: string;
  /** Plaintext bytes. */
  size: number;
  /** The part's own checksum (base64), for a part of a multipart upload that had one. */
  checksum?: string;
}

/** The part of each segment that bytes `start..end` of their concatenation cover, as offsets within the segment. */
export function segmentRanges(segments: Segment[], start: number, end: number): { segment: Segment; from: number; to: number }[] {
  const ranges: { segment: Segment; from: number; to: number }[] = [];
  let offset = 0;
  for (const segment of segments) {
    if (offset > end) break;
    const segmentEnd = offset + segment.size - 1;
    if (segment.size > 0 && segmentEnd >= start) ranges.push({ segment, from: Math.max(start, offset) - offset, to: Math.min(end, segmentEnd) - offset });
    offset += segment.size;
  }
  return ranges;
}
