// A small protobuf (proto3) codec for the messages in schema.json, the only ones the board sends or reads.
//
// Why hand-written: the page needs a dozen messages; a 150-line codec driven by a data table keeps the page free of
// npm, bundlers and generated code (it runs from `dotnet run` as it is), and BoardSchemaTests checks the table
// against the compiled proto descriptors, so it cannot drift from protos/ unnoticed.
//
// Decoded messages are plain objects with proto field names (snake_case); every declared field is present (its
// default when absent on the wire), enums decode to their names, int64 to Number (exact below 2^53: counts,
// checkpoints and seconds are far below). Unknown fields are skipped, so a newer server does not break the page.

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'double']);

export class Codec {
  constructor(schema) {
    this.messages = schema.messages;
    this.enums = schema.enums;
    this.enumNames = {};
    for (const [type, values] of Object.entries(schema.enums)) {
      this.enumNames[type] = Object.fromEntries(Object.entries(values).map(([name, number]) => [number, name]));
    }
    this.byNumber = {};
    for (const [type, fields] of Object.entries(schema.messages)) {
      this.byNumber[type] = new Map(Object.entries(fields).map(([name, [number, fieldType, label]]) =>
        [number, { name, type: fieldType, repeated: label === 'repeated' }]));
    }
  }

  /** Encodes `value` (an object with proto field names; absent fields are left out) as message `type`. */
  encode(type, value) {
    const writer = new Writer();
    this.#write(writer, type, value ?? {});
    return writer.finish();
  }

  /** Decodes `bytes` (a Uint8Array) as message `type`. */
  decode(type, bytes) {
    return this.#read(new Reader(bytes), type, bytes.length);
  }

  #fields(type) {
    const fields = this.messages[type];
    if (!fields) throw new Error(`schema.json has no message ${type}`);
    return fields;
  }

  #write(writer, type, value) {
    for (const [name, [number, fieldType, label]] of Object.entries(this.#fields(type))) {
      const v = value[name];
      if (v === undefined || v === null) continue;
      for (const item of label === 'repeated' ? v : [v]) {
        // proto3: a default scalar is not sent, except a oneof member, whose presence is the point.
        if (label !== 'oneof' && label !== 'repeated' && isDefault(item, fieldType, this.enums)) continue;
        this.#writeField(writer, number, fieldType, item);
      }
    }
  }

  #writeField(writer, number, type, value) {
    if (type === 'string') {
      writer.tag(number, WIRE_BYTES).bytes(new TextEncoder().encode(value));
    } else if (type === 'bool') {
      writer.tag(number, WIRE_VARINT).varint(value ? 1n : 0n);
    } else if (type === 'int32' || type === 'int64') {
      writer.tag(number, WIRE_VARINT).varint(BigInt.asUintN(64, BigInt(value)));
    } else if (type === 'double') {
      writer.tag(number, WIRE_FIXED64).double(value);
    } else if (this.enums[type]) {
      const n = typeof value === 'number' ? value : this.enums[type][value];
      if (n === undefined) throw new Error(`${type} has no value ${value}`);
      writer.tag(number, WIRE_VARINT).varint(BigInt.asUintN(64, BigInt(n)));
    } else {
      const inner = new Writer();
      this.#write(inner, type, value);
      writer.tag(number, WIRE_BYTES).bytes(inner.finish());
    }
  }

  #read(reader, type, end) {
    const fields = this.#fields(type);
    const message = {};
    for (const [name, [, fieldType, label]] of Object.entries(fields)) {
      message[name] = label === 'repeated' ? [] : this.#default(fieldType, label);
    }
    const byNumber = this.byNumber[type];
    while (reader.pos < end) {
      const tag = Number(reader.varint());
      const number = tag >>> 3;
      const wire = tag & 7;
      const field = byNumber.get(number);
      if (!field) {
        reader.skip(wire);
        continue;
      }
      if (field.repeated && wire === WIRE_BYTES && (SCALARS.has(field.type) || this.enums[field.type]) && field.type !== 'string') {
        const packedEnd = reader.pos + Number(reader.varint()); // packed repeated numbers
        while (reader.pos < packedEnd) message[field.name].push(this.#readValue(reader, field.type));
        continue;
      }
      const value = this.#readValue(reader, field.type);
      if (field.repeated) message[field.name].push(value);
      else message[field.name] = value;
    }
    return message;
  }

  #readValue(reader, type) {
    switch (type) {
      case 'string': return new TextDecoder().decode(reader.bytes());
      case 'bool': return reader.varint() !== 0n;
      case 'int32': return Number(BigInt.asIntN(32, reader.varint()));
      case 'int64': return Number(BigInt.asIntN(64, reader.varint()));
      case 'double': return reader.double();
      default:
        if (this.enums[type]) {
          const n = Number(BigInt.asIntN(32, reader.varint()));
          return this.enumNames[type][n] ?? `${type}(${n})`;
        }
        const length = Number(reader.varint());
        return this.#read(reader, type, reader.pos + length);
    }
  }

  #default(type, label) {
    if (label === 'oneof') return undefined;
    if (type === 'string') return '';
    if (type === 'bool') return false;
    if (type === 'int32' || type === 'int64' || type === 'double') return 0;
    if (this.enums[type]) return this.enumNames[type][0];
    return null; // an absent message
  }
}

function isDefault(value, type, enums) {
  if (type === 'string') return value === '';
  if (type === 'bool') return value === false;
  if (type === 'int32' || type === 'int64' || type === 'double') return Number(value) === 0;
  if (enums[type]) return value === 0 || enums[type][value] === 0;
  return false;
}

class Writer {
  #chunks = [];

  tag(number, wire) {
    return this.varint(BigInt((number << 3) | wire));
  }

  varint(value) {
    const out = [];
    let v = value;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.#chunks.push(Uint8Array.from(out));
    return this;
  }

  double(value) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.#chunks.push(bytes);
    return this;
  }

  bytes(value) {
    this.varint(BigInt(value.length));
    this.#chunks.push(value);
    return this;
  }

  finish() {
    const out = new Uint8Array(this.#chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}

class Reader {
  constructor(bytes) {
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
  }

  varint() {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated varint');
      const byte = this.buf[this.pos++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
      if (shift > 63n) throw new Error('varint too long');
    }
  }

  double() {
    const value = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return value;
  }

  bytes() {
    const length = Number(this.varint());
    if (this.pos + length > this.buf.length) throw new Error('truncated field');
    const value = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return value;
  }

  skip(wire) {
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_FIXED64) this.pos += 8;
    else if (wire === WIRE_BYTES) this.bytes();
    else if (wire === WIRE_FIXED32) this.pos += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
}
