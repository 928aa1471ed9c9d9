// The block geometries the engine supports, shared by the property and corruption tests.

export const GEOMETRIES = [
  { wordSize: 4, alignment: 8 },
  { wordSize: 4, alignment: 16 },
  { wordSize: 8, alignment: 8 },
  { wordSize: 8, alignment: 16 },
] as const;
