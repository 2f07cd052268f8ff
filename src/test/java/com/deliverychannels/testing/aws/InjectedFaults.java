package com.deliverychannels.testing.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The faults a test asked a stand-in to answer with instead of doing its work, each for a number of calls of
 * one operation ({@code *}: any operation), the oldest first. Thread-safe: the functions call from several threads.
 */
final class InjectedFaults {
    /** One error answer in AWS's JSON shape: HTTP status, {@code __type} and message. */
    record Fault(int status, String awsErrorType, String message) {
    }

    private static final class Planned {
        final String operation;
        final Fault fault;
        int remaining;

        Planned(String operation, Fault fault, int remaining) {
            this.operation = operation;
            this.fault = fault;
            this.remaining = remaining;
        }
    }

    private final List<Planned> planned = new ArrayList<>();

    synchronized void add(String operation, int status, String awsErrorType, String message, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("a fault is answered at least once, not " + times + " times");
        }
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("an AWS error answer has a 4xx or 5xx status, not " + status);
        }
        planned.add(new Planned(operation, new Fault(status, awsErrorType, message), times));
    }

    synchronized void clear() {
        planned.clear();
    }

    /** The fault to answer {@code operation} with now, counting it; empty when the call goes on as usual. */
    synchronized Optional<Fault> next(String operation) {
        for (Planned candidate : planned) {
            if (candidate.operation.equals(operation) || candidate.operation.equals("*")) {
                if (--candidate.remaining == 0) {
                    planned.remove(candidate);
                }
                return Optional.of(candidate.fault);
            }
        }
        return Optional.empty();
    }
}
