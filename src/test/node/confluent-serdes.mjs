// Confluent's JavaScript serdes against a schema registry, driven by ConfluentSerdesTest:
//   serialize URL TOPIC JSON    prints the wire-format bytes (base64) of JSON under the subject's latest schema
//   deserialize URL TOPIC B64   prints the record that the bytes hold, as JSON
import {
  AvroDeserializer, AvroSerializer, SchemaRegistryClient, SerdeType,
} from '@confluentinc/schemaregistry';

const [mode, url, topic, payload] = process.argv.slice(2);
const client = new SchemaRegistryClient({ baseURLs: [url] });
const bigints = (key, value) => (typeof value === 'bigint' ? Number(value) : value);

if (mode === 'serialize') {
  const serializer = new AvroSerializer(client, SerdeType.VALUE, { useLatestVersion: true, autoRegisterSchemas: false });
  const record = JSON.parse(payload);
  const bytes = await serializer.serialize(topic, record);
  process.stdout.write(Buffer.from(bytes).toString('base64'));
} else if (mode === 'deserialize') {
  const deserializer = new AvroDeserializer(client, SerdeType.VALUE, {});
  const record = await deserializer.deserialize(topic, Buffer.from(payload, 'base64'));
  process.stdout.write(JSON.stringify(record, bigints));
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
