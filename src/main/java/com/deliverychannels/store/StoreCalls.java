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
