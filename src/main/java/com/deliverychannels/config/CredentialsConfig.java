package com.deliverychannels.config;

import java.util.Optional;

import io.smallrye.config.ConfigMapping;

/** The key ring that seals stored secrets ({@code CREDENTIALS_KEYS}). */
@ConfigMapping(prefix = "credentials")
public interface CredentialsConfig {
    /**
     * {@code keyId:base64(32 bytes)[,keyId:base64(32 bytes)...]}: the first key seals, every key unseals,
     * so a new key goes first and old ones stay until nothing sealed under them remains. Absent: the
     * functions start, and anything that needs a secret answers "unavailable".
     */
    Optional<String> keys();

    /**
     * {@code CREDENTIALS_KEYS_SECRET_ARN}: in AWS, the Secrets Manager secret whose string is the key ring, read
     * at start-up and again when a sealed value names a key the ring in memory does not have (a rotation). When
     * set it wins over {@link #keys()}.
     */
    Optional<String> keysSecretArn();
}
