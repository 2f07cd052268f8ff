package com.deliverychannels.channel;

import java.time.Instant;

/**
 * A user's connected Gmail account.
 *
 * @param address            the account's address (the ID token's {@code email}); Gmail sends From it
 * @param sealedRefreshToken the OAuth2 refresh token, sealed
 */
public record GmailConnection(String address, String sealedRefreshToken, GmailStatus status, Instant connectedAt) {

    /** Hides the sealed token from any accidental log line. */
    @Override
    public String toString() {
        return "GmailConnection[address=" + address + ", status=" + status + ", connectedAt=" + connectedAt + "]";
    }
}
