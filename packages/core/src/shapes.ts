// What a task input/output slot holds, from its shape type. Servers name list types ListOfImages (some docs
// write ListOf<Image>); file slots (Image, Audio, Video, File) take and give numeric file ids.
export type SlotKind = 'text' | 'number' | 'enum' | 'file';

export interface SlotType {
  kind: SlotKind;
  /** A list of values (ListOf…). */
  list: boolean;
  /** For file slots: what the file is. */
  media?: 'Image' | 'Audio' | 'Video' | 'File';
}

export function slotType(shapeType: string): SlotType {
  const type = typeof shapeType === 'string' ? shapeType : 'Text';
  const list = type.startsWith('ListOf');
  const base = (list ? type.slice('ListOf'.length) : type).replace(/^<(.*)>$/, '$1');
  const media = /^(Image|Audio|Video|File)s?$/.exec(base)?.[1] as SlotType['media'];
  if (media) return { kind: 'file', list, media };
  if (/^Numbers?$/.test(base)) return { kind: 'number', list };
  if (base === 'Enum') return { kind: 'enum', list };
  return { kind: 'text', list };
}
