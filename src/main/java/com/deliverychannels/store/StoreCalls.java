package com.deliverychannels.store;

import java.util.function.Supplier;

import com.deliverychannels.core.UnavailableException;

import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;

/**
 * Turns DynamoDB failures that are not an outcome of the request itself (throttling, an unreachable
 * endpoint, a service error) into the domain's "unavailable", keeping the cause for the log.
 * Conditional-check failures are outcomes, not outages: they pass through unchanged for the caller to
 * turn into its own answer (a lost race, an absent item).
 */
final class StoreCalls {
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
            throw new UnavailableException("problem.store.unavailable", e);
        }
    }

    static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (ConditionalCheckFailedException | TransactionCanceledException outcome) {
            throw outcome;
        } catch (SdkException e) {
            throw new UnavailableException("problem.store.unavailable", e);
        }
    }
}
