package com.deliverychannels.channel;

import java.util.Optional;
import java.util.function.Supplier;

import com.deliverychannels.core.ConflictException;

/**
 * Runs a read-modify-write of the versioned settings again when another write came first. A few rounds
 * settle any human-speed race; a caller that still loses is told to try again.
 */
final class OptimisticRetry {
    private static final int ATTEMPTS = 3;

    private OptimisticRetry() {
    }

    /** Runs {@code attempt} until it answers a value; it answers empty when its conditional write lost. */
    static <T> T run(Supplier<Optional<T>> attempt) {
        for (int i = 0; i < ATTEMPTS; i++) {
            Optional<T> result = attempt.get();
            if (result.isPresent()) {
                return result.get();
            }
        }
        throw new ConflictException("problem.concurrent-change");
    }
}
