package com.deliverychannels.mail;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.channel.GmailTokenException;
import com.deliverychannels.channel.GmailTokens;
import com.deliverychannels.config.GmailConfig;
import com.deliverychannels.secrets.RuntimeSecret;
import com.deliverychannels.secrets.Secrets;
import com.deliverychannels.core.EmailAddress;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.OidcClientException;
import io.quarkus.oidc.client.OidcClients;
import io.quarkus.oidc.client.Tokens;

/**
 * Google's token endpoint through the named OIDC client {@code gmail} (configured from {@code GMAIL_*}).
 * Access tokens are cached in memory per refresh token until a minute before they expire; neither token
 * is ever logged or stored in plain text.
 */
@ApplicationScoped
public class OidcGmailTokens implements GmailTokens {
    private static final Logger LOG = Logger.getLogger(OidcGmailTokens.class);
    private static final Duration CALL_LIMIT = Duration.ofSeconds(10);
    private static final Duration EXPIRY_MARGIN = Duration.ofMinutes(1);
    private static final int MAX_CACHED = 10_000;
    /** RFC 6749 §5.2 codes saying the grant itself is unusable: the user must connect again. */
    private static final Set<String> GRANT_ERRORS = Set.of("invalid_grant", "redirect_uri_mismatch");
    /** The other RFC 6749 §5.2 codes: our client or request is at fault, not the user's grant. */
    private static final Set<String> REQUEST_ERRORS = Set.of("invalid_request", "invalid_client",
            "unauthorized_client", "unsupported_grant_type", "invalid_scope");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OidcClients clients;
    private final GmailConfig config;
    private final RuntimeSecret clientSecret;
    private final Clock clock;
    private final Map<String, CachedToken> cache = new ConcurrentHashMap<>();

    private record CachedToken(String accessToken, Instant expiresAt) {
    }

    public OidcGmailTokens(OidcClients clients, GmailConfig config, Secrets secrets, Clock clock) {
        this.clients = clients;
        this.config = config;
        this.clientSecret = secrets.gmailClientSecret();
        this.clock = clock;
    }

    @Override
    public GmailGrant exchange(String code, String redirectUri) {
        Tokens tokens = call(client -> client.getTokens(
                withClientSecret(Map.of("code", code, "redirect_uri", redirectUri))));
        return new GmailGrant(tokens.getRefreshToken(), emailOf(tokens.get("id_token")));
    }

    @Override
    public String accessToken(String refreshToken) {
        String key = fingerprint(refreshToken);
        CachedToken cached = cache.get(key);
        Instant now = clock.instant();
        if (cached != null && now.isBefore(cached.expiresAt().minus(EXPIRY_MARGIN))) {
            return cached.accessToken();
        }
        Tokens tokens = call(client -> client.refreshTokens(refreshToken, withClientSecret(Map.of())));
        Instant expiresAt = tokens.getAccessTokenExpiresAt() != null
                ? Instant.ofEpochSecond(tokens.getAccessTokenExpiresAt())
                : now.plus(Duration.ofMinutes(30));
        if (cache.size() >= MAX_CACHED) {
            cache.values().removeIf(token -> !now.isBefore(token.expiresAt()));
        }
        cache.put(key, new CachedToken(tokens.getAccessToken(), expiresAt));
        return tokens.getAccessToken();
    }

    @Override
    public void forget(String refreshToken) {
        cache.remove(fingerprint(refreshToken));
    }

    /**
     * The client secret goes in the form ({@code client_secret_post}, RFC 6749 §2.3.1) from here rather than from
     * the OIDC client's configuration, which is fixed when the client is built: in AWS it is read from Secrets
     * Manager and may be rotated while the function runs.
     */
    private Map<String, String> withClientSecret(Map<String, String> parameters) {
        Map<String, String> form = new java.util.HashMap<>(parameters);
        clientSecret.value().ifPresent(secret -> form.put("client_secret", secret));
        return form;
    }

    private Tokens call(java.util.function.Function<OidcClient, io.smallrye.mutiny.Uni<Tokens>> request) {
        try {
            return request.apply(clients.getClient("gmail")).await().atMost(CALL_LIMIT);
        } catch (RuntimeException e) {
            if (errorCode(e).filter("invalid_client"::equals).isPresent() && clientSecret.reload()) {
                // Google no longer knows our secret and Secrets Manager has another one: rotated meanwhile.
                return call(request);
            }
            throw classify(e);
        }
    }

    /**
     * The OIDC client reports an error answer as an {@link OidcClientException} whose message is the answer's
     * body and drops the status code; an unreachable server (refused, reset, DNS) as "OIDC Server is not
     * available". So the body's RFC 6749 §5.2 error code decides: {@code invalid_grant} (and Google's
     * {@code redirect_uri_mismatch}, which §5.2 counts as an invalid grant) means the code or refresh token
     * cannot be used; the other §5.2 codes ({@code invalid_client}, ...) mean our request is at fault; anything
     * else (a 5xx page, {@code server_error}, no answer, a time-out) may pass later.
     */
    private static GmailTokenException classify(RuntimeException e) {
        Optional<String> error = errorCode(e);
        if (error.isPresent() && GRANT_ERRORS.contains(error.get())) {
            return new GmailTokenException(GmailTokenException.Kind.INVALID_GRANT,
                    "Google refused the grant (" + error.get() + ")", null);
        }
        if (error.isPresent() && REQUEST_ERRORS.contains(error.get())) {
            LOG.warnf("Google's token endpoint refused our request: %s", error.get());
            return new GmailTokenException(GmailTokenException.Kind.REFUSED,
                    "Google's token endpoint refused the request (" + error.get() + ")", null);
        }
        if (e instanceof OidcClientException || e instanceof io.smallrye.mutiny.TimeoutException) {
            LOG.warnf("Google's token endpoint could not be reached or failed: %s",
                    error.orElseGet(() -> abbreviate(e.getClass().getSimpleName() + ": " + e.getMessage())));
        } else {
            // Not a failure of Google's: the client itself could not make the call (a configuration error).
            LOG.errorf(e, "the call to Google's token endpoint could not be made");
        }
        return new GmailTokenException(GmailTokenException.Kind.UNAVAILABLE,
                "Google's token endpoint could not be reached" + error.map(code -> " (" + code + ")").orElse(""), null);
    }

    /** The start of an answer that was no JSON (an HTML error page), on one line. */
    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() <= 200 ? line : line.substring(0, 200) + "...";
    }

    /** The {@code error} member of an error answer's JSON body, when the failure is one. */
    private static Optional<String> errorCode(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof OidcClientException && t.getMessage() != null && t.getMessage().startsWith("{")) {
                try {
                    JsonNode error = JSON.readTree(t.getMessage()).path("error");
                    // Codes are ASCII words (RFC 6749 §5.2); anything else is not worth repeating in a log line.
                    if (error.isTextual() && error.asText().matches("[a-z_]{1,64}")) {
                        return Optional.of(error.asText());
                    }
                } catch (java.io.IOException notJson) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The {@code email} claim of the ID token. It comes straight from Google's token endpoint over TLS, so
     * OpenID Connect Core §3.1.3.7 lets the client skip its signature; its audience must still be us.
     */
    private String emailOf(String idToken) {
        if (idToken == null) {
            throw new GmailTokenException(GmailTokenException.Kind.REFUSED, "Google sent no ID token", null);
        }
        String[] parts = idToken.split("\\.");
        try {
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            JsonNode audience = claims.path("aud");
            boolean ours = audience.isArray()
                    ? java.util.stream.StreamSupport.stream(audience.spliterator(), false)
                            .anyMatch(a -> config.clientId().equals(a.asText()))
                    : config.clientId().equals(audience.asText());
            String email = claims.path("email").asText(null);
            // Google has sent email_verified both as a boolean and as the string "true".
            JsonNode verified = claims.path("email_verified");
            boolean unverified = verified.isBoolean() ? !verified.asBoolean()
                    : verified.isTextual() && !"true".equalsIgnoreCase(verified.asText());
            // The address becomes the From of every message sent through Gmail: it must be one a header can carry.
            if (!ours || !EmailAddress.isValid(email) || unverified) {
                throw new GmailTokenException(GmailTokenException.Kind.REFUSED,
                        "the ID token is not for us or has no verified email", null);
            }
            return email;
        } catch (java.io.IOException | IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new GmailTokenException(GmailTokenException.Kind.REFUSED, "the ID token cannot be read", null);
        }
    }

    private static String fingerprint(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
