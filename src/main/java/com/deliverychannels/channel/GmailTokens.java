package com.deliverychannels.channel;

/** Google's OAuth2 token endpoint, as far as a Gmail connection needs it. */
public interface GmailTokens {

    /**
     * Exchanges an authorization code for a refresh token and the account's address (the ID token's
     * {@code email} claim).
     *
     * @throws GmailTokenException when Google refuses the code or cannot be reached
     */
    GmailGrant exchange(String code, String redirectUri);

    /**
     * An access token for sending, by the refresh grant; cached until shortly before it expires, never
     * stored.
     *
     * @throws GmailTokenException when Google refuses the refresh token ({@code invalid_grant}) or cannot be reached
     */
    String accessToken(String refreshToken);

    /** Forgets a cached access token the server refused. */
    void forget(String refreshToken);

    /**
     * What a code exchange yields.
     *
     * @param refreshToken null when Google sent none (the user had consented before without {@code prompt=consent})
     */
    record GmailGrant(String refreshToken, String email) {
        @Override
        public String toString() {
            return "GmailGrant[email=" + email + "]";
        }
    }
}
