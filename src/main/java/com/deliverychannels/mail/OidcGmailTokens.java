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
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.channel.GmailTokenException;
import com.deliverychannels.channel.GmailTokens;
import com.deliverychannels.config.GmailConfig;
import com.deliverychannels.core.EmailAddress;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.oidc.client.OidcClient;
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
    private static final Pattern STATUS = Pattern.compile("status: (\\d{3})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final OidcClients clients;
    private final GmailConfig config;
    private final Clock clock;
    private final Map<String, CachedToken> cache = new ConcurrentHashMap<>();

    private record CachedToken(String accessToken, Instant expiresAt) {
    }

    public OidcGmailTokens(OidcClients clients, GmailConfig config, Clock clock) {
        this.clients = clients;
        this.config = config;
        this.clock = clock;
    }

    @Override
    public GmailGrant exchange(String code, String redirectUri) {
        Tokens tokens = call(client -> client.getTokens(Map.of("code", code, "redirect_uri", redirectUri)));
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
        Tokens tokens = call(client -> client.refreshTokens(refreshToken));
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

    private Tokens call(java.util.function.Function<OidcClient, io.smallrye.mutiny.Uni<Tokens>> request) {
        try {
            return request.apply(clients.getClient("gmail")).await().atMost(CALL_LIMIT);
        } catch (RuntimeException e) {
            throw classify(e);
        }
    }

    /**
     * The OIDC client reports an error answer as "… status: 400, error message: {"error":"invalid_grant"…}"
     * and an unreachable server as "OIDC Server is not available"; the status decides the kind.
     */
    private static GmailTokenException classify(RuntimeException e) {
        String message = String.valueOf(e.getMessage());
        Throwable cause = e.getCause();
        while (cause != null && message.equals("null")) {
            message = String.valueOf(cause.getMessage());
            cause = cause.getCause();
        }
        Matcher status = STATUS.matcher(message);
        if (status.find()) {
            int code = Integer.parseInt(status.group(1));
            if (message.contains("invalid_grant")) {
                return new GmailTokenException(GmailTokenException.Kind.INVALID_GRANT,
                        "Google refused the grant (invalid_grant)", null);
            }
            if (code >= 500 || code == 429) {
                return new GmailTokenException(GmailTokenException.Kind.UNAVAILABLE,
                        "Google's token endpoint answered " + code, null);
            }
            LOG.warnf("Google's token endpoint refused our request with status %d", code);
            return new GmailTokenException(GmailTokenException.Kind.REFUSED,
                    "Google's token endpoint refused the request (" + code + ")", null);
        }
        return new GmailTokenException(GmailTokenException.Kind.UNAVAILABLE,
                "Google's token endpoint could not be reached", null);
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
