package com.deliverychannels.delivery;

import java.util.Collection;
import java.util.Optional;
import java.util.Set;

import com.deliverychannels.channel.Identity;

/**
 * What a send must know before it writes anything, beyond the user's channel settings: the identity it sends
 * as, and which recipients are suppressed. One lookup, so a store can answer both in one round trip.
 */
public interface SenderLookup {

    /**
     * The user's identity {@code identityId} (empty when they have none by that id), and those of
     * {@code recipients} the user has suppressed, as given ({@link com.deliverychannels.bounce.SuppressionList}).
     */
    Sender lookup(String userId, String identityId, Collection<String> recipients);

    /** The answer of {@link #lookup}. */
    record Sender(Optional<Identity> identity, Set<String> suppressedRecipients) {
    }
}
