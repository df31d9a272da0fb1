import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UsageParser, type ParseContext, type ParseResume, type ParsedBatch } from './usage-parse';

/**
 * The one reading loop of a usage file, used on the ledger's thread and in the parser thread:
 * the file (from `resume`'s byte on, when given) in pieces of `pieceBytes`, each piece's rows
 * one batch.
 */
export async function* parseFilePieces(path: string, context: ParseContext, pieceBytes: number, resume?: ParseResume): AsyncGenerator<ParsedBatch> {
  const parser = new UsageParser(context, resume);
  const decoder = new StringDecoder('utf8');
  const start = resume?.bytesBefore ?? 0;
  for await (const buffer of createReadStream(path, { highWaterMark: pieceBytes, start }) as AsyncIterable<Buffer>) {
    parser.push(decoder.write(buffer), buffer.length);
    yield parser.take();
  }
  const tail = decoder.end();
  if (tail.length > 0) parser.push(tail, 0);
  parser.end();
  yield parser.take();
}

/**
 * Text in memory in pieces of `pieceBytes`. `whole`: the text is the whole file (its end is
 * checked); otherwise it is a file's head, which another parser goes on from.
 */
export function* parseTextPieces(text: string, context: ParseContext, pieceBytes: number, whole: boolean): Generator<ParsedBatch> {
  const parser = new UsageParser(context);
  for (let i = 0; i < text.length; i += pieceBytes) {
    const piece = text.slice(i, i + pieceBytes);
    parser.push(piece, Buffer.byteLength(piece, 'utf8'));
    yield parser.take();
  }
  if (!whole) return;
  parser.end();
  yield parser.take();
}
