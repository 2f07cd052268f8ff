package com.deliverychannels.delivery;

import java.util.List;
import java.util.Optional;

import com.deliverychannels.bounce.FailedDelivery;

/** Where deliveries and idempotency markers live. */
public interface DeliveryStore {

    /**
     * Writes a new delivery, and with it the idempotency marker when there is one: both or neither.
     *
     * @return false when the marker exists already (nothing was written)
     */
    boolean create(Delivery delivery, Optional<IdempotencyMarker> marker);

    /**
     * Writes a new delivery with the marker of its {@code Idempotency-Key}: both or neither. When the key is
     * taken (another request used it, and it has not expired), says by whom, from the refused write itself
     * where DynamoDB answers with it.
     */
    KeyedCreation create(Delivery delivery, IdempotencyMarker marker);

    /** What writing a delivery under an {@code Idempotency-Key} came to. */
    sealed interface KeyedCreation {
        /** Both were written: the request owns the key. */
        record Created() implements KeyedCreation {
        }

        /** Nothing was written: {@code holder} holds the key. */
        record Taken(IdempotencyMarker holder) implements KeyedCreation {
        }

        /** Nothing was written: another request is writing the same key at this very moment. */
        record Contended() implements KeyedCreation {
        }
    }

    /** A delivery by id, whoever owns it (callers check the owner). */
    Optional<Delivery> find(String deliveryId);

    /**
     * The deliveries of {@code deliveryIds} (at most {@link #MAX_FIND_ALL}) that exist, by id, read together
     * and strongly consistent: what {@link #find} answers for each, in one round trip.
     */
    java.util.Map<String, Delivery> findAll(java.util.Collection<String> deliveryIds);

    /** How many ids {@link #findAll} takes at once (DynamoDB's BatchGetItem reads 100 keys per call). */
    int MAX_FIND_ALL = 100;

    /** The delivery SES knows by {@code sesMessageId}, when the relay told us that id at send time. */
    Optional<Delivery> findBySesMessageId(String sesMessageId);

    /**
     * Replaces a delivery if it is still at {@code expectedVersion}, and records {@code failures} with it in
     * the same transaction.
     *
     * @return false when another write came first (nothing was written)
     */
    boolean update(Delivery next, long expectedVersion, List<FailedDelivery> failures);

    /**
     * As {@link #update(Delivery, long, List)}, and records {@code answered} (the marker of the request's
     * {@code Idempotency-Key}, holding the answer) in the same transaction: a repeat of the request finds the
     * answer exactly when the outcome is recorded.
     */
    boolean update(Delivery next, long expectedVersion, List<FailedDelivery> failures, IdempotencyMarker answered);

    /**
     * Ids of deliveries whose next attempt is due at {@code now}, oldest due first per index partition, up
     * to {@code limit} per partition. Read from an index: the caller re-reads each before acting on it.
     */
    List<String> due(java.time.Instant now, int limit);

    /** The marker of a user's key, if it was used and has not expired. */
    Optional<IdempotencyMarker> marker(String userId, String key);
}
