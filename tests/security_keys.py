"""A security key (WebAuthn) registered on an account, made without a browser: a real registration
response ("none" attestation) from a key pair made here, stored as allauth stores one. For tests of
the pages that offer the key; signing in with it is tests/browser/test_security_key.py's."""

import json
import os

from allauth.mfa.models import Authenticator
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import sha256, websafe_encode
from fido2.webauthn import (
    Aaguid,
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
)


def add_security_key(user, name="Office key", rp_id="testserver"):
    """An Authenticator row of type WEBAUTHN for `user`, as allauth's add form saves it."""
    credential_id = os.urandom(32)
    public_key = ES256.from_cryptography_key(ec.generate_private_key(ec.SECP256R1()).public_key())
    credential_data = AttestedCredentialData.create(Aaguid.NONE, credential_id, public_key)
    flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT
    authenticator_data = AuthenticatorData.create(sha256(rp_id.encode()), flags, 0, credential_data)
    client_data = {"type": "webauthn.create", "challenge": websafe_encode(os.urandom(16)), "origin": f"http://{rp_id}"}
    credential = {
        "type": "public-key",
        "id": websafe_encode(credential_id),
        "rawId": websafe_encode(credential_id),
        "response": {
            "clientDataJSON": websafe_encode(json.dumps(client_data).encode()),
            "attestationObject": websafe_encode(bytes(AttestationObject.create("none", authenticator_data, {}))),
        },
        "clientExtensionResults": {},
    }
    return Authenticator.objects.create(user=user, type=Authenticator.Type.WEBAUTHN, data={"name": name, "credential": credential})
