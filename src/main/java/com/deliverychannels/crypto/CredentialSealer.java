package com.deliverychannels.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.deliverychannels.core.UnavailableException;
import com.deliverychannels.secrets.RuntimeSecret;
import com.deliverychannels.secrets.Secrets;

/**
 * Seals secrets (SMTP passwords, OAuth refresh tokens) with AES-256-GCM before they reach the table.
 * A sealed value reads {@code v1.<keyId>.<base64url(iv ‖ ciphertext ‖ tag)>}. The caller's context (the
 * user and the field) is authenticated as associated data: a sealed value copied to another user's item
 * or another field does not open.
 */
@ApplicationScoped
public class CredentialSealer {
    private static final Logger LOG = Logger.getLogger(CredentialSealer.class);
    private static final String VERSION = "v1";
    private static final int IV_BYTES = 12; // NIST SP 800-38D: 96-bit IVs, random per message
    private static final int TAG_BITS = 128;

    private final RuntimeSecret keyRing;
    private final SecureRandom random = new SecureRandom();
    /** The ring parsed from the secret's value it was parsed from; parsed again only when that value changes. */
    private volatile Parsed parsed = new Parsed(Optional.empty(), Optional.empty());

    private record Parsed(Optional<String> from, Optional<KeyRing> ring) {
    }

    @Inject
    public CredentialSealer(Secrets secrets) {
        this(secrets.credentialsKeys());
    }

    /** Seals under {@code keyRing} ({@code CREDENTIALS_KEYS}). */
    public CredentialSealer(RuntimeSecret keyRing) {
        this.keyRing = keyRing;
        // Parsed now, so a malformed ring fails the start rather than the first user's request.
        if (ring().isEmpty()) {
            LOG.warn("CREDENTIALS_KEYS is not set: storing or using SMTP passwords and Gmail tokens will be refused");
        }
    }

    /**
     * Seals {@code secret} for {@code context}.
     *
     * @throws UnavailableException when no key ring is configured
     */
    public String seal(String secret, String context) {
        KeyRing keys = keys();
        byte[] iv = new byte[IV_BYTES];
        random.nextBytes(iv);
        byte[] sealed = run(Cipher.ENCRYPT_MODE, keys.sealingKey(), iv, context,
                secret.getBytes(StandardCharsets.UTF_8));
        ByteBuffer out = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed);
        return VERSION + "." + keys.sealingKeyId() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    }

    /**
     * Opens a value sealed by {@link #seal} for the same {@code context}.
     *
     * @throws UnavailableException when no key ring is configured, the key is gone, or the value was altered
     */
    public String unseal(String sealed, String context) {
        KeyRing keys = keys();
        String[] parts = sealed.split("\\.", 3);
        if (parts.length != 3 || !VERSION.equals(parts[0])) {
            throw new UnavailableException("problem.credentials.unreadable", null);
        }
        Optional<SecretKey> found = keys.key(parts[1]);
        if (found.isEmpty() && keyRing.reload()) {
            // Sealed under a key this ring in memory does not have: the ring may have been rotated since the
            // function started (a new first key sealed it elsewhere). Read once more, then judge.
            found = keys().key(parts[1]);
        }
        SecretKey key = found.orElseThrow(() -> new UnavailableException("problem.credentials.unreadable",
                new IllegalStateException("no key '" + parts[1] + "' in CREDENTIALS_KEYS")));
        byte[] blob;
        try {
            blob = Base64.getUrlDecoder().decode(parts[2]);
        } catch (IllegalArgumentException e) {
            throw new UnavailableException("problem.credentials.unreadable", null);
        }
        // The decoder ignores a final character's unused bits; only the one canonical spelling is ours.
        if (!Base64.getUrlEncoder().withoutPadding().encodeToString(blob).equals(parts[2])) {
            throw new UnavailableException("problem.credentials.unreadable", null);
        }
        if (blob.length <= IV_BYTES) {
            throw new UnavailableException("problem.credentials.unreadable", null);
        }
        byte[] iv = java.util.Arrays.copyOf(blob, IV_BYTES);
        byte[] body = java.util.Arrays.copyOfRange(blob, IV_BYTES, blob.length);
        return new String(run(Cipher.DECRYPT_MODE, key, iv, context, body), StandardCharsets.UTF_8);
    }

    /** Answers whether secrets can be sealed at all (a key ring is configured). */
    public boolean available() {
        return ring().isPresent();
    }

    private KeyRing keys() {
        return ring().orElseThrow(() -> new UnavailableException("problem.credentials.unconfigured",
                new IllegalStateException("CREDENTIALS_KEYS is not set")));
    }

    private Optional<KeyRing> ring() {
        Optional<String> value = keyRing.value();
        Parsed current = parsed;
        if (!current.from().equals(value)) {
            current = new Parsed(value, value.map(KeyRing::parse));
            parsed = current;
        }
        return current.ring();
    }

    private static byte[] run(int mode, SecretKey key, byte[] iv, String context, byte[] input) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(input);
        } catch (GeneralSecurityException e) {
            // An AEADBadTagException here means the value or its context was altered; the message names no secret.
            throw new UnavailableException("problem.credentials.unreadable",
                    new IllegalStateException("sealed value did not open: " + e.getClass().getSimpleName()));
        }
    }
}
