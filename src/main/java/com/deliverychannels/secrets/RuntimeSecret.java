package com.deliverychannels.secrets;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import org.jboss.logging.Logger;

/**
 * One secret the functions need (a key ring, an OAuth client secret), as it is now. In AWS it is read from
 * Secrets Manager by ARN ({@code ..._SECRET_ARN}) when the function starts, kept in memory, and read again when
 * the value stops working (a sealed value no key opens, a token endpoint refusing our client): that is how a
 * rotation reaches running functions without a deployment. In local runs and tests it is the plain variable
 * ({@code CREDENTIALS_KEYS}, ...). The value never appears in a log line or an exception message.
 */
public final class RuntimeSecret {
    private static final Logger LOG = Logger.getLogger(RuntimeSecret.class);
    /**
     * Reading again at most this often: a stream of values no key opens (an attacker's, or a key really gone)
     * must not become a stream of Secrets Manager calls.
     */
    static final Duration MIN_RELOAD_INTERVAL = Duration.ofSeconds(30);

    private final String name;
    private final Optional<String> arn;
    private final SecretSource source;
    private final Clock clock;
    private volatile Optional<String> value;
    private volatile Instant readAt = Instant.MIN;

    private RuntimeSecret(String name, Optional<String> plain, Optional<String> arn, SecretSource source, Clock clock) {
        this.name = name;
        this.arn = arn.filter(id -> !id.isBlank());
        this.source = source;
        this.clock = clock;
        this.value = plain.filter(v -> !v.isBlank());
    }

    /**
     * The secret {@code name} (its variable, for the log): read from {@code source} by {@code arn} when one is
     * given (it wins), else the {@code plain} value.
     */
    public static RuntimeSecret of(String name, Optional<String> plain, Optional<String> arn, SecretSource source,
            Clock clock) {
        return new RuntimeSecret(name, plain, arn, source, clock);
    }

    /** A secret that is what it is, for tests and local runs. */
    public static RuntimeSecret fixed(String name, String value) {
        return new RuntimeSecret(name, Optional.ofNullable(value), Optional.empty(), id -> {
            throw new IllegalStateException("no source");
        }, Clock.systemUTC());
    }

    /** Reads the secret from its source now, if it has one (at start-up). */
    public void load() {
        arn.ifPresent(id -> {
            value = Optional.of(source.read(id)).filter(v -> !v.isBlank());
            readAt = clock.instant();
            LOG.infof("%s read from Secrets Manager (%s)", name, id);
        });
    }

    /** The value, reading it first if it never was; empty when none is configured. */
    public Optional<String> value() {
        if (arn.isPresent() && readAt.equals(Instant.MIN)) {
            synchronized (this) {
                if (readAt.equals(Instant.MIN)) {
                    load();
                }
            }
        }
        return value;
    }

    /**
     * Reads the secret again because its value stopped working, unless it was read within
     * {@link #MIN_RELOAD_INTERVAL} or has no source; answers whether the value changed.
     */
    public synchronized boolean reload() {
        if (arn.isEmpty() || clock.instant().isBefore(readAt.plus(MIN_RELOAD_INTERVAL))) {
            return false;
        }
        Optional<String> before = value;
        load();
        boolean changed = !Objects.equals(before, value);
        if (changed) {
            LOG.infof("%s changed in Secrets Manager: the new value is used from now on", name);
        }
        return changed;
    }

    /** Whether it comes from Secrets Manager (an ARN is configured), rather than from a plain variable. */
    public boolean configured() {
        return arn.isPresent();
    }

    /** The variable this secret is configured by, e.g. {@code CREDENTIALS_KEYS}. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name + (arn.isPresent() ? " (from " + arn.get() + ")" : "") + " [value hidden]";
    }
}
