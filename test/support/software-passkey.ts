import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A passkey authenticator in plain Node (ES256, "none" attestation), so HTTP tests can register
 * and use passkeys the way a browser's WebAuthn call would answer, without a browser.
 */
export class SoftwarePasskey {
  readonly credentialId = randomBytes(16);
  readonly #key: { privateKey: KeyObject; publicKey: KeyObject } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  #counter = 0;
  readonly #origin: string;

  constructor(origin: string) {
    this.#origin = origin;
  }

  get id(): string {
    return this.credentialId.toString('base64url');
  }

  #rpIdHash(): Buffer {
    return createHash('sha256').update(new URL(this.#origin).hostname).digest();
  }

  #clientData(type: 'webauthn.create' | 'webauthn.get', challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.#origin, crossOrigin: false }));
  }

  #coseKey(): Uint8Array {
    const jwk = this.#key.publicKey.export({ format: 'jwk' });
    return isoCBOR.encode(new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')],
    ]));
  }

  /** Its public key as a registered passkey stores it (COSE, base64url), for tests that set one up directly. */
  get publicKeyCose(): string {
    return Buffer.from(this.#coseKey()).toString('base64url');
  }

  /** The JSON a browser's navigator.credentials.create() answer serialises to, for these options. */
  create(options: { challenge: string }): Record<string, unknown> {
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const authData = Buffer.concat([
      this.#rpIdHash(), Buffer.from([0x45]), Buffer.alloc(4), Buffer.alloc(16), idLength, this.credentialId, this.#coseKey(),
    ]);
    const attestationObject = isoCBOR.encode(new Map<string, string | Uint8Array | Map<string, string>>([
      ['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', authData],
    ]));
    return {
      id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: {},
      response: {
        clientDataJSON: this.#clientData('webauthn.create', options.challenge).toString('base64url'),
        attestationObject: Buffer.from(attestationObject).toString('base64url'),
        transports: ['internal'],
      },
    };
  }

  /** The JSON of a navigator.credentials.get() answer: the challenge signed, user verified. */
  get(options: { challenge: string }, userHandle?: string): Record<string, unknown> {
    this.#counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.#counter);
    const authData = Buffer.concat([this.#rpIdHash(), Buffer.from([0x05]), counter]);
    const clientData = this.#clientData('webauthn.get', options.challenge);
    const signature = sign('sha256', Buffer.concat([authData, createHash('sha256').update(clientData).digest()]), this.#key.privateKey);
    return {
      id: this.id, rawId: this.id, type: 'public-key', clientExtensionResults: {},
      response: {
        clientDataJSON: clientData.toString('base64url'),
        authenticatorData: authData.toString('base64url'),
        signature: signature.toString('base64url'),
        ...(userHandle ? { userHandle: Buffer.from(userHandle).toString('base64url') } : {}),
      },
    };
  }
}
