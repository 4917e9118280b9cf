// gRPC-Web over fetch, binary format (application/grpc-web+proto), as any front end may call the API.
//
// A request body is one frame: a flag byte (0), a 4-byte big-endian length, the message. A response body is frames:
// flag 0 carries a message, flag 0x80 the trailers ("grpc-status: 0\r\ngrpc-message: ...\r\n"). An error before any
// message may come as a trailers-only response, with grpc-status in the HTTP headers instead. A server stream is read
// frame by frame from the response's ReadableStream, so each board is shown as soon as it arrives.

/** gRPC status codes by number (the page shows people words, never these; see errors.js). */
export const STATUS = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/** A call that ended with a status other than OK. `code` is the status name, `detail` the server's message. */
export class GrpcError extends Error {
  constructor(code, detail) {
    super(`${code}: ${detail}`);
    this.code = code;
    this.detail = detail;
  }
}

/** Calls `path` ("/package.Service/Method") with `body` (encoded request); yields each response message's bytes. */
export async function* call(path, body, { token, signal } = {}) {
  const frame = new Uint8Array(5 + body.length);
  new DataView(frame.buffer).setUint32(1, body.length);
  frame.set(body, 5);
  const headers = { 'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1' };
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method: 'POST', headers, body: frame, signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new GrpcError('UNAVAILABLE', `the service could not be reached (${error.message})`);
  }
  if (!response.ok) throw new GrpcError(fromHttpStatus(response.status), `HTTP ${response.status}`);
  const headerStatus = response.headers.get('grpc-status');
  if (headerStatus !== null) {
    // Trailers-only: no message follows.
    const code = STATUS[Number(headerStatus)] ?? 'UNKNOWN';
    if (code !== 'OK') throw new GrpcError(code, decodeMessage(response.headers.get('grpc-message')));
    return;
  }
  const reader = response.body.getReader();
  let buffer = new Uint8Array(0);
  let trailers = null;
  try {
    for (;;) {
      let read;
      try {
        read = await reader.read();
      } catch (error) {
        if (signal?.aborted) throw error;
        throw new GrpcError('UNAVAILABLE', `the connection was lost (${error.message})`);
      }
      if (read.done) break;
      buffer = concat(buffer, read.value);
      while (buffer.length >= 5) {
        const length = new DataView(buffer.buffer, buffer.byteOffset, 5).getUint32(1);
        if (buffer.length < 5 + length) break;
        const flag = buffer[0];
        const payload = buffer.slice(5, 5 + length);
        buffer = buffer.slice(5 + length);
        if (flag & 0x80) trailers = parseTrailers(payload);
        else yield payload;
      }
    }
  } finally {
    reader.releaseLock();
  }
  if (!trailers) throw new GrpcError('UNAVAILABLE', 'the response ended without a status');
  const code = STATUS[Number(trailers['grpc-status'])] ?? 'UNKNOWN';
  if (code !== 'OK') throw new GrpcError(code, decodeMessage(trailers['grpc-message']));
}

/** A unary call: the one response message's bytes. */
export async function unary(path, body, options) {
  let message = null;
  for await (const bytes of call(path, body, options)) message = bytes;
  if (!message) throw new GrpcError('INTERNAL', 'a unary call answered no message');
  return message;
}

function parseTrailers(bytes) {
  const trailers = {};
  for (const line of new TextDecoder().decode(bytes).split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return trailers;
}

// grpc-message is percent-encoded UTF-8.
function decodeMessage(value) {
  if (!value) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

// The gRPC spec's mapping of HTTP statuses a proxy or server may answer before gRPC runs.
function fromHttpStatus(status) {
  switch (status) {
    case 400: return 'INTERNAL';
    case 401: return 'UNAUTHENTICATED';
    case 403: return 'PERMISSION_DENIED';
    case 404: return 'UNIMPLEMENTED';
    case 429: case 502: case 503: case 504: return 'UNAVAILABLE';
    default: return 'UNKNOWN';
  }
}

function concat(a, b) {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
