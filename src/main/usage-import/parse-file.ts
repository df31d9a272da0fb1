import { isAscii } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UsageParser, type ParseContext, type ParseResume, type ParsedBatch } from './parse';

/**
 * The one reading loop of a usage file, used on the ledger's thread and in the parser thread:
 * the file (from `resume`'s byte on, when given) in pieces of `pieceBytes`, each piece's rows
 * one batch. `handOver` is asked after each piece whether another parser takes over now; if
 * so, reading stops at the end of the last whole record read and the loop returns where the
 * other parser is to go on (null when this loop read the file to its end).
 */
export async function* parseFilePieces(
  path: string,
  context: ParseContext,
  pieceBytes: number,
  resume?: ParseResume,
  handOver?: () => boolean | Promise<boolean>,
): AsyncGenerator<ParsedBatch, ParseResume | null> {
  const parser = new UsageParser(context, resume);
  const decoder = new StringDecoder('utf8');
  let offset = resume?.bytesBefore ?? 0;
  /** The file's bytes up to and including the last line break read (0: none yet). */
  let linesEnd = 0;
  // Until the first byte that is not ASCII (and then to the end, as the decoder may hold part of
  // a character) pieces are read as Latin-1: for ASCII the same text, some 20 times faster to
  // make than by UTF-8 decoding.
  let decoding = false;
  for await (const buffer of createReadStream(path, { highWaterMark: pieceBytes, start: offset }) as AsyncIterable<Buffer>) {
    if (!decoding && !isAscii(buffer)) decoding = true;
    parser.push(decoding ? decoder.write(buffer) : buffer.toString('latin1'), buffer.length);
    // A line break byte is never part of a longer UTF-8 character: bytes and text agree here.
    const lastBreak = buffer.lastIndexOf(0x0a);
    if (lastBreak !== -1) linesEnd = offset + lastBreak + 1;
    offset += buffer.length;
    yield parser.take();
    if (handOver !== undefined && linesEnd > 0 && (await handOver())) {
      const point = parser.resumeAt(linesEnd);
      if (point !== null) return point;
    }
  }
  const tail = decoder.end();
  if (tail.length > 0) parser.push(tail, 0);
  parser.end();
  yield parser.take();
  return null;
}

/** Text in memory (a whole file) in pieces of `pieceBytes`. */
export function* parseTextPieces(text: string, context: ParseContext, pieceBytes: number): Generator<ParsedBatch> {
  const parser = new UsageParser(context);
  for (let i = 0; i < text.length; i += pieceBytes) {
    const piece = text.slice(i, i + pieceBytes);
    parser.push(piece, Buffer.byteLength(piece, 'utf8'));
    yield parser.take();
  }
  parser.end();
  yield parser.take();
}
