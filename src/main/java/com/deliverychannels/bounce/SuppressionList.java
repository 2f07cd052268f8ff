package com.deliverychannels.bounce;

import java.util.Collection;
import java.util.Set;

/**
 * A user's recipients that must not be mailed again: a permanent bounce or a complaint put them here
 * (CONTRACT §3). Addresses are compared with {@link com.deliverychannels.core.EmailAddress#canonical}
 * lower-cased entirely, as mailbox providers treat local parts case-insensitively in practice.
 */
public interface SuppressionList {

    /** Those of {@code addresses} the user has suppressed, as given. */
    Set<String> suppressed(String userId, Collection<String> addresses);

    /** Suppresses {@code address} for the user; suppressing twice leaves one entry. */
    void suppress(String userId, String address, FailureReason reason, java.time.Instant at);
}
