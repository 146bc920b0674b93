import { create, toBinary, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import { filesV1, modelGatewayV1, retrievalV1 } from '@parley/proto';
import { invalidUtf8Field, toGrpcServiceDefinition, UndecodableRequest } from './service-definition';

/** A private-use character whose 3 UTF-8 bytes become a lone surrogate's (ED A0 80): same length. */
const MARK = '\ue000';

function withLoneSurrogate<S extends DescMessage>(schema: S, init: MessageInitShape<S>): Buffer {
  const bytes = Buffer.from(toBinary(schema, create(schema, init)));
  const at = bytes.indexOf(Buffer.from(MARK));
  Buffer.from([0xed, 0xa0, 0x80]).copy(bytes, at);
  return bytes;
}

describe('invalidUtf8Field', () => {
  it('names the string field whose bytes are not UTF-8, nested and in lists, as the proto does', () => {
    expect(
      invalidUtf8Field(
        filesV1.UploadFileRequestSchema,
        withLoneSurrogate(filesV1.UploadFileRequestSchema, {
          part: { case: 'metadata', value: { filename: 'ok', declaredContentType: `x${MARK}` } },
        }),
      ),
    ).toBe('metadata.declared_content_type');
    expect(
      invalidUtf8Field(
        retrievalV1.SearchRequestSchema,
        withLoneSurrogate(retrievalV1.SearchRequestSchema, {
          query: 'fine',
          targets: [
            { target: { case: 'fileId', value: 'a' } },
            { target: { case: 'knowledgeBaseId', value: MARK } },
          ],
        }),
      ),
    ).toBe('targets[1].knowledge_base_id');
  });

  it('says nothing for valid text or for framing that is broken some other way', () => {
    const fine = Buffer.from(
      toBinary(retrievalV1.SearchRequestSchema, create(retrievalV1.SearchRequestSchema, { query: 'é' })),
    );
    expect(invalidUtf8Field(retrievalV1.SearchRequestSchema, fine)).toBeUndefined();
    expect(
      invalidUtf8Field(retrievalV1.SearchRequestSchema, Buffer.from([0x0a, 0xff, 0xff])),
    ).toBeUndefined();
  });

  it('hands the field to the server through the request deserializer', () => {
    const definition = toGrpcServiceDefinition(modelGatewayV1.ModelGatewayService);
    const method = Object.values(definition).find((m) => m.path.endsWith('/VerifyConnection'))!;
    const decoded = method.requestDeserialize(
      withLoneSurrogate(modelGatewayV1.VerifyConnectionRequestSchema, { baseUrl: `http://${MARK}` }),
    );
    expect(decoded).toBeInstanceOf(UndecodableRequest);
    expect((decoded as UndecodableRequest).invalidUtf8Field).toBe('base_url');
  });
});
