package com.deliverychannels.channel;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.core.ConflictException;
import com.deliverychannels.core.FieldError;
import com.deliverychannels.core.InvalidInputException;
import com.deliverychannels.core.UnavailableException;
import com.deliverychannels.core.Validation;
import com.deliverychannels.crypto.CredentialSealer;

/** A user's channel choice and connections, and what they mean for the next message. */
@ApplicationScoped
public class ChannelService {
    private static final Logger LOG = Logger.getLogger(ChannelService.class);
    static final int MAX_USERNAME = 320;
    static final int MAX_PASSWORD = 1024;
    static final int MAX_OAUTH_PARAMETER = 2048;

    private final ChannelStore store;
    private final IdentityService identities;
    private final CredentialSealer sealer;
    private final SmtpHostPolicy hostPolicy;
    private final SmtpProbe probe;
    private final ChannelPreviewRules previewRules;
    private final GmailTokens gmailTokens;
    private final Clock clock;

    public ChannelService(ChannelStore store, IdentityService identities, CredentialSealer sealer,
            SmtpHostPolicy hostPolicy, SmtpProbe probe, ChannelPreviewRules previewRules, GmailTokens gmailTokens,
            Clock clock) {
        this.store = store;
        this.identities = identities;
        this.sealer = sealer;
        this.hostPolicy = hostPolicy;
        this.probe = probe;
        this.previewRules = previewRules;
        this.gmailTokens = gmailTokens;
        this.clock = clock;
    }

    /** The user's settings and the preview of the next message. */
    public ChannelView view(String userId) {
        return viewOf(userId, store.settings(userId));
    }

    /**
     * Makes {@code channel} the active one.
     *
     * @throws ConflictException when GMAIL is not connected (or must be reconnected) or SMTP has no settings
     */
    public ChannelView activate(String userId, String channel) {
        ChannelType type = ChannelType.parse(channel).orElseThrow(() -> new InvalidInputException(
                FieldError.of("active", "field.one-of", "MSC, GMAIL, SMTP")));
        ChannelSettings saved = OptimisticRetry.run(() -> {
            ChannelSettings current = store.settings(userId);
            if (type == ChannelType.GMAIL && current.gmail() == null) {
                throw new ConflictException("problem.gmail.not-connected");
            }
            if (type == ChannelType.GMAIL && current.gmail().status() == GmailStatus.RECONNECT_REQUIRED) {
                throw new ConflictException("problem.gmail.reconnect-required");
            }
            if (type == ChannelType.SMTP && current.smtp() == null) {
                throw new ConflictException("problem.smtp.not-configured");
            }
            return write(userId, current, current.withActive(type));
        });
        return viewOf(userId, saved);
    }

    /** Saves SMTP settings (status UNVERIFIED until verified); the password is sealed before it is stored. */
    public ChannelView saveSmtp(String userId, SmtpSettingsChange change) {
        Validation v = new Validation();
        String host = null;
        if (v.singleLine(change.host(), "host", 253)) {
            host = SmtpHostPolicy.normalize(change.host());
            Optional<String> refusal = hostPolicy.refusalOnSave(host);
            refusal.ifPresent(key -> v.add(FieldError.of("host", key)));
        }
        if (v.check(change.port() != null, "port", "field.required")) {
            v.check(change.port() >= 1 && change.port() <= 65535, "port", "field.range", 1, 65535);
        }
        Optional<SmtpSecurity> security = parse(SmtpSecurity.class, change.security(), "security", v);
        Optional<SmtpAuthMethod> authMethod = parse(SmtpAuthMethod.class, change.authMethod(), "authMethod", v);
        v.singleLine(change.username(), "username", MAX_USERNAME);
        // Without a password the stored one is kept, if it may be: which one is stored is read now, so that a
        // missing password is named together with every other invalid field, not once they are fixed.
        AtomicReference<ChannelSettings> read = new AtomicReference<>();
        if (change.password() == null) {
            read.set(store.settings(userId));
            v.check(mayKeepPassword(read.get().smtp(), host, change.username()), "password",
                    "smtp.password.required");
        } else {
            v.check(!change.password().isEmpty(), "password", "field.required");
            v.check(change.password().length() <= MAX_PASSWORD, "password", "field.too-long", MAX_PASSWORD);
        }
        v.throwIfInvalid();
        String normalizedHost = host;
        ChannelSettings saved = OptimisticRetry.run(() -> {
            // The settings read for the check serve the first round; a round that lost a race reads again.
            ChannelSettings current = Optional.ofNullable(read.getAndSet(null)).orElseGet(() -> store.settings(userId));
            String sealedPassword = sealedPasswordFor(userId, current.smtp(), normalizedHost, change);
            SmtpSettings smtp = new SmtpSettings(normalizedHost, change.port(), security.get(), change.username(),
                    sealedPassword, authMethod.get(), SmtpStatus.UNVERIFIED, clock.instant());
            return write(userId, current, current.withSmtp(smtp));
        });
        LOG.infof("SMTP settings saved for user %s: host %s port %d", userId, normalizedHost, change.port());
        return viewOf(userId, saved);
    }

    /**
     * Connects to the user's SMTP server, upgrades to TLS, authenticates and quits, sending nothing. The
     * status becomes OK on success and AUTH_FAILED when the server refuses the credentials.
     */
    public SmtpVerification verifySmtp(String userId) {
        ChannelSettings current = store.settings(userId);
        SmtpSettings smtp = current.smtp();
        if (smtp == null) {
            throw new ConflictException("problem.smtp.not-configured");
        }
        String password = sealer.unseal(smtp.sealedPassword(), smtpPasswordContext(userId));
        SmtpHostPolicy.Resolution resolution = hostPolicy.resolveForConnect(smtp.host());
        SmtpVerification result;
        if (resolution instanceof SmtpHostPolicy.Resolution.Allowed allowed) {
            result = probe.probe(new SmtpEndpoint(smtp.host(), allowed.address(), smtp.port(), smtp.security()),
                    smtp.username(), password, smtp.authMethod());
        } else if (resolution instanceof SmtpHostPolicy.Resolution.Refused) {
            result = SmtpVerification.failed(SmtpStage.CONNECT, "verify.connect.refused-address", null);
        } else {
            result = SmtpVerification.failed(SmtpStage.CONNECT, "verify.connect.unknown-host", null);
        }
        LOG.infof("SMTP verification for user %s at %s:%d: %s at %s", userId, smtp.host(), smtp.port(),
                result.ok() ? "passed" : "failed", result.stage());
        Optional<SmtpStatus> learnt = result.ok() ? Optional.of(SmtpStatus.OK)
                : result.credentialsRefused() ? Optional.of(SmtpStatus.AUTH_FAILED) : Optional.empty();
        learnt.ifPresent(status -> recordSmtpStatus(userId, smtp, status));
        return result;
    }

    /** Forgets the SMTP settings; the active channel falls back to MSC if it was SMTP. */
    public void deleteSmtp(String userId) {
        OptimisticRetry.run(() -> {
            ChannelSettings current = store.settings(userId);
            if (current.smtp() == null) {
                return Optional.of(current);
            }
            ChannelSettings next = current.withSmtp(null);
            if (current.active() == ChannelType.SMTP) {
                next = next.withActive(ChannelType.DEFAULT);
            }
            return write(userId, current, next);
        });
    }

    /**
     * Connects the user's Gmail account: exchanges the OAuth2 authorization code at Google's token endpoint,
     * seals the refresh token and keeps it with the account's address (the ID token's {@code email}),
     * replacing any earlier connection. The active channel is not changed: connecting is not choosing.
     *
     * <p>Google's answers map to the caller's as follows. {@code invalid_grant} (a code that expired, was
     * used already or was issued for another redirect URI) and a grant without a refresh token are the
     * caller's to fix: 422 on {@code code}. An unreachable or failing endpoint is 503. A refusal of any
     * other kind ({@code invalid_client}, an ID token for another audience) is our configuration's fault,
     * not the caller's; the vocabulary has no "bad gateway", so it is also answered as unavailable (503)
     * with its own text, and logged for us.
     *
     * @throws InvalidInputException 422 for a missing or malformed code or redirect URI, a refused code, or
     *                               no refresh token
     * @throws UnavailableException  503 when Google cannot be reached or refuses our request
     */
    public ChannelView connectGmail(String userId, String code, String redirectUri) {
        Validation v = new Validation();
        v.singleLine(code, "code", MAX_OAUTH_PARAMETER);
        if (v.singleLine(redirectUri, "redirectUri", MAX_OAUTH_PARAMETER)) {
            v.check(isAcceptableRedirectUri(redirectUri), "redirectUri", "field.redirect-uri");
        }
        v.throwIfInvalid();
        GmailTokens.GmailGrant grant;
        try {
            grant = gmailTokens.exchange(code, redirectUri);
        } catch (GmailTokenException e) {
            throw switch (e.kind()) {
                case INVALID_GRANT -> new InvalidInputException(FieldError.of("code", "problem.gmail.code-refused"));
                case UNAVAILABLE -> new UnavailableException("problem.gmail.unavailable", e);
                case REFUSED -> new UnavailableException("problem.gmail.refused", e);
            };
        }
        if (grant.refreshToken() == null || grant.refreshToken().isBlank()) {
            // Google sends a refresh token only on the first consent, or with prompt=consent: without one we
            // could send for an hour and then never again.
            throw new InvalidInputException(FieldError.of("code", "problem.gmail.no-refresh-token"));
        }
        String sealedToken = sealer.seal(grant.refreshToken(), gmailTokenContext(userId));
        GmailConnection connection = new GmailConnection(grant.email(), sealedToken, GmailStatus.CONNECTED,
                clock.instant());
        ChannelSettings saved = OptimisticRetry.run(() -> {
            ChannelSettings current = store.settings(userId);
            return write(userId, current, current.withGmail(connection));
        });
        LOG.infof("Gmail connected for user %s: account %s", userId, grant.email());
        return viewOf(userId, saved);
    }

    /**
     * Where Google may send the user back (RFC 6749 §3.1.2, RFC 8252 §7.3): an absolute https URL, or plain
     * http on the loopback interface for local clients; no fragment and no user info.
     */
    private static boolean isAcceptableRedirectUri(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            return false;
        }
        if (!uri.isAbsolute() || uri.isOpaque() || uri.getHost() == null || uri.getRawUserInfo() != null
                || uri.getRawFragment() != null) {
            return false;
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return scheme.equals("https")
                || scheme.equals("http") && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
    }

    /** Forgets the Gmail connection; the active channel falls back to MSC if it was GMAIL. */
    public void deleteGmail(String userId) {
        OptimisticRetry.run(() -> {
            ChannelSettings current = store.settings(userId);
            if (current.gmail() == null) {
                return Optional.of(current);
            }
            ChannelSettings next = current.withGmail(null);
            if (current.active() == ChannelType.GMAIL) {
                next = next.withActive(ChannelType.DEFAULT);
            }
            return write(userId, current, next);
        });
    }

    /** The associated data under which a user's SMTP password is sealed. */
    public static String smtpPasswordContext(String userId) {
        return "smtp.password|" + userId;
    }

    /** The associated data under which a user's Gmail refresh token is sealed. */
    public static String gmailTokenContext(String userId) {
        return "gmail.refresh-token|" + userId;
    }

    private void recordSmtpStatus(String userId, SmtpSettings verified, SmtpStatus status) {
        OptimisticRetry.run(() -> {
            ChannelSettings current = store.settings(userId);
            // Settings replaced while we were talking to the old server: what we learnt no longer applies.
            if (current.smtp() == null || !current.smtp().updatedAt().equals(verified.updatedAt())) {
                return Optional.of(current);
            }
            return write(userId, current, current.withSmtp(current.smtp().withStatus(status, current.smtp().updatedAt())));
        });
    }

    private String sealedPasswordFor(String userId, SmtpSettings existing, String host, SmtpSettingsChange change) {
        if (change.password() != null) {
            return sealer.seal(change.password(), smtpPasswordContext(userId));
        }
        // The settings changed since they were checked (another tab saved other ones): checked again.
        if (!mayKeepPassword(existing, host, change.username())) {
            throw new InvalidInputException(FieldError.of("password", "smtp.password.required"));
        }
        return existing.sealedPassword();
    }

    /**
     * Keeping the stored password is allowed only for the same account on the same server: a password is never
     * sent to a host the user did not type it for. {@code host} is the normalized host, null when it is invalid.
     */
    private static boolean mayKeepPassword(SmtpSettings existing, String host, String username) {
        return existing != null && host != null && existing.host().equals(host)
                && existing.username().equals(username);
    }

    private Optional<ChannelSettings> write(String userId, ChannelSettings current, ChannelSettings next) {
        ChannelSettings versioned = next.nextVersion(clock.instant());
        return store.replaceSettings(userId, versioned, current.version()) ? Optional.of(versioned) : Optional.empty();
    }

    private ChannelView viewOf(String userId, ChannelSettings settings) {
        String identityAddress = identities.defaultIdentity(userId, settings).map(Identity::address).orElse(null);
        return new ChannelView(settings, previewRules.preview(settings, identityAddress));
    }

    private static <E extends Enum<E>> Optional<E> parse(Class<E> type, String value, String field, Validation v) {
        if (!v.required(value, field)) {
            return Optional.empty();
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().equals(value)) {
                return Optional.of(constant);
            }
        }
        v.add(FieldError.of(field, "field.one-of", java.util.Arrays.stream(type.getEnumConstants())
                .map(Enum::name).collect(java.util.stream.Collectors.joining(", "))));
        return Optional.empty();
    }
}
