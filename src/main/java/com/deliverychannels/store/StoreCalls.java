package com.deliverychannels.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.deliverychannels.aws.AwsFaults;
import com.deliverychannels.core.MisconfiguredException;
import com.deliverychannels.core.UnavailableException;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Turns DynamoDB failures that are not an outcome of the request itself into the domain's words, keeping the
 * cause for the log ({@link AwsFaults}): throttling, an unreachable endpoint or a service error into
 * "unavailable" (try later), a refused permission, a missing table or bad credentials into "misconfigured"
 * (fail loudly). Conditional-check failures are outcomes, not outages: they pass through unchanged for the
 * caller to turn into its own answer (a lost race, an absent item).
 */
final class StoreCalls {
    /** How often BatchGetItem is asked again for keys it left unprocessed before the store counts as unavailable. */
    private static final int MAX_BATCH_ROUNDS = 5;
    private static final String UNAVAILABLE = "problem.store.unavailable";
    /** Cancellation reasons of a transaction that pass (DynamoDB's TransactWriteItems documentation). */
    private static final Set<String> THROTTLED_ITEM = Set.of("ProvisionedThroughputExceeded", "ThrottlingError",
            "TransactionConflict");

    private StoreCalls() {
    }

    /**
     * Runs a conditional write (or a transaction of them). Answers false, having written nothing, when a
     * condition did not hold or a concurrent transaction on the same items came first: for every caller
     * here that means "another writer won", a normal outcome to act on.
     */
    static boolean conditionally(Runnable write) {
        try {
            call(() -> {
                write.run();
                return null;
            });
            return true;
        } catch (ConditionalCheckFailedException lostRace) {
            return false;
        } catch (TransactionCanceledException e) {
            boolean lostRace = e.cancellationReasons().stream()
                    .anyMatch(r -> "ConditionalCheckFailed".equals(r.code()) || "TransactionConflict".equals(r.code()));
            if (lostRace) {
                return false;
            }
            throw cancelled(e);
        }
    }

    static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (ConditionalCheckFailedException | TransactionCanceledException outcome) {
            throw outcome;
        } catch (SdkException e) {
            throw AwsFaults.classify(e, "dynamodb", UNAVAILABLE);
        }
    }

    /**
     * A transaction cancelled for another reason than a lost race: throttled items pass, anything else (an item
     * too large, a validation error) will fail the same way again.
     */
    private static RuntimeException cancelled(TransactionCanceledException e) {
        boolean throttled = e.cancellationReasons().stream().anyMatch(r -> THROTTLED_ITEM.contains(r.code()));
        return throttled ? new UnavailableException(UNAVAILABLE, e)
                : new MisconfiguredException("dynamodb", "TransactionCanceledException", e);
    }

    /**
     * Reads {@code keys} (at most 100, no two alike) of {@code table} strongly consistently with BatchGetItem,
     * asking again for what DynamoDB hands back unprocessed; answers the items that exist, in no order.
     */
    static List<Map<String, AttributeValue>> batchGet(DynamoDbClient dynamo, String table,
                                                      List<Map<String, AttributeValue>> keys) {
        List<Map<String, AttributeValue>> found = new ArrayList<>();
        List<Map<String, AttributeValue>> pending = new ArrayList<>(keys);
        for (int round = 0; !pending.isEmpty(); round++) {
            if (round > MAX_BATCH_ROUNDS) {
                throw new UnavailableException(UNAVAILABLE, null);
            }
            List<Map<String, AttributeValue>> ask = List.copyOf(pending);
            pending.clear();
            BatchGetItemResponse response = call(() -> dynamo.batchGetItem(b -> b.requestItems(
                    Map.of(table, KeysAndAttributes.builder().keys(ask).consistentRead(true).build()))));
            found.addAll(response.responses().getOrDefault(table, List.of()));
            KeysAndAttributes left = response.unprocessedKeys().get(table);
            if (left != null) {
                pending.addAll(left.keys());
            }
        }
        return found;
    }
}
