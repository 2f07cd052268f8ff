package com.deliverychannels.store;

import java.util.function.Supplier;

import com.deliverychannels.core.UnavailableException;

import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns DynamoDB failures that are not an outcome of the request itself (throttling, an unreachable
 * endpoint, a service error) into the domain's "unavailable", keeping the cause for the log.
 * Conditional-check failures are outcomes: callers catch them inside the call.
 */
final class StoreCalls {
    private StoreCalls() {
    }

    static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (SdkException e) {
            throw new UnavailableException("problem.store.unavailable", e);
        }
    }
}
