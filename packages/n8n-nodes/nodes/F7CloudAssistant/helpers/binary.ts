import { safeFileName } from '@f7cloud/assistant-client';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

export interface InputFile {
  data: Uint8Array;
  fileName: string | undefined;
  mimeType: string;
}

/** Reads a file from the item's binary field; n8n's own error names the missing field. */
export async function readBinary(
  ctx: IExecuteFunctions,
  itemIndex: number,
  field: string,
): Promise<InputFile> {
  const meta = ctx.helpers.assertBinaryData(itemIndex, field);
  const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, field);
  return {
    data: new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength),
    fileName: meta.fileName,
    mimeType: meta.mimeType,
  };
}

export interface DownloadedFile {
  data?: Uint8Array;
  contentType: string;
  fileName: string | undefined;
}

/**
 * Stores downloaded bytes as n8n binary data (n8n moves large files out of memory itself). The name comes
 * from the server: only a safe base name reaches n8n, where a later Write File node may use it as a path.
 */
export async function toBinary(
  ctx: IExecuteFunctions,
  file: DownloadedFile,
  fallbackName: string,
): Promise<IBinaryData> {
  const bytes = file.data ?? new Uint8Array(0);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return await ctx.helpers.prepareBinaryData(
    buffer,
    safeFileName(file.fileName, safeFileName(fallbackName)),
    file.contentType || undefined,
  );
}
