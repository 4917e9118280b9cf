// Follows ActorSales domain events over gRPC from Node.js, resuming after the last position it printed.
//
//   ACTORSALES_ADDRESS  host:port of the gRPC endpoint (default 127.0.0.1:5080; plaintext h2c as in the Local profile)
//   ACTORSALES_TOKEN    bearer token (e.g. `dotnet run --project src/ActorSales.Host -- token --user billing --role service`)
//   AFTER_POSITION      resume after this position (default: from now)
//   ENTITY_TYPES        comma-separated, e.g. ENTITY_TYPE_CUSTOMER,ENTITY_TYPE_OPPORTUNITY (default: all)
//   EVENT_TYPES         comma-separated change names, e.g. customer_registered (default: all)
//   TEAM_ID             only this team's events (default: all the token may see)
//   MAX_EVENTS          stop after this many events (default: follow until interrupted)
//
// Prints one JSON line per event: {"position", "entity_type", "entity_id", "sequence", "event_type", ...}.
// Store the position after processing an event; after a disconnect, restart with AFTER_POSITION set to it.
// De-duplicate on (entity_type, entity_id, sequence): delivery is at least once.
'use strict';

const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const protoRoot = path.resolve(__dirname, '..', '..', 'protos');
const definition = protoLoader.loadSync(path.join(protoRoot, 'actorsales', 'v1', 'events.proto'), {
  includeDirs: [protoRoot],
  keepCase: true,
  longs: String,
  enums: String,
  defaults: false,
  oneofs: true,
});
const { EventsService } = grpc.loadPackageDefinition(definition).actorsales.v1;

const env = process.env;
const list = (value) => (value ? value.split(',').map((s) => s.trim()).filter(Boolean) : []);
const maxEvents = env.MAX_EVENTS ? Number(env.MAX_EVENTS) : Infinity;

const request = {
  entity_types: list(env.ENTITY_TYPES),
  event_types: list(env.EVENT_TYPES),
  team_id: env.TEAM_ID || '',
};
if (env.AFTER_POSITION !== undefined && env.AFTER_POSITION !== '') {
  request.after_position = env.AFTER_POSITION;
}

const client = new EventsService(env.ACTORSALES_ADDRESS || '127.0.0.1:5080', grpc.credentials.createInsecure());
const metadata = new grpc.Metadata();
metadata.set('authorization', `Bearer ${env.ACTORSALES_TOKEN || ''}`);

let received = 0;
const call = client.Subscribe(request, metadata);
call.on('data', (message) => {
  const event = message.event;
  console.log(JSON.stringify({
    position: message.position,
    entity_type: event.entity_type,
    entity_id: event.entity_id,
    sequence: event.sequence,
    event_type: event.change,
    team_id: event.team_id,
    owner_id: event.owner_id,
    occurred_at: event.occurred_at,
  }));
  received += 1;
  if (received >= maxEvents) {
    call.cancel();
  }
});
call.on('error', (error) => {
  if (error.code === grpc.status.CANCELLED && received >= maxEvents) {
    process.exit(0);
  }
  // OUT_OF_RANGE: the position fell out of retention; the message says where the retained log starts.
  console.error(`subscription ended: ${grpc.status[error.code]}: ${error.details}`);
  process.exit(1);
});
call.on('end', () => process.exit(0));
