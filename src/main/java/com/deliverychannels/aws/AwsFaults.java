package com.deliverychannels.aws;

import java.util.Locale;
import java.util.Set;

import com.deliverychannels.core.DomainException;
import com.deliverychannels.core.MisconfiguredException;
import com.deliverychannels.core.UnavailableException;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * The one place that tells an AWS failure that passes from one an operator must fix. Passing: throttling
 * ({@code ProvisionedThroughputExceededException}, {@code ThrottlingException}, {@code RequestLimitExceeded},
 * a {@code TransactionConflict}), any 5xx, and a call that never got an answer (connection refused or reset,
 * a time-out): trying again later may help, and the caller says so. Everything else the service answers
 * ({@code AccessDeniedException}, {@code ResourceNotFoundException}, {@code ValidationException},
 * {@code UnrecognizedClientException}, an expired token...) and credentials the SDK could not find at all are
 * configuration faults: the same call fails the same way until the deployment changes, so it must never be
 * mistaken for throttling (a sweep that "postpones" an AccessDenied forever claims nothing and raises no alarm).
 */
public final class AwsFaults {
    /**
     * Error codes that pass besides those the SDK itself calls throttling
     * ({@link SdkException#isThrottlingException()}, which covers 429 and the throttling codes of every service).
     * DynamoDB: "TransactionConflictException" when a transaction meets another one on the same item.
     */
    private static final Set<String> PASSING_CODES = Set.of("ProvisionedThroughputExceededException",
            "ThrottlingException", "RequestLimitExceeded", "TransactionConflictException", "TransactionConflict",
            "TransactionInProgressException", "InternalServerError", "InternalServiceError",
            "InternalFailure", "ServiceUnavailable", "LimitExceededException");

    private AwsFaults() {
    }

    /**
     * The domain's word for {@code failure} of a call to {@code service} (its IAM prefix, e.g. {@code dynamodb}):
     * {@link UnavailableException} with {@code unavailableKey} when it passes, {@link MisconfiguredException}
     * when it does not.
     */
    public static DomainException classify(SdkException failure, String service, String unavailableKey) {
        if (isPassing(failure)) {
            return new UnavailableException(unavailableKey, failure);
        }
        return new MisconfiguredException(service, errorCode(failure), failure);
    }

    /** Whether retrying later may help. */
    public static boolean isPassing(SdkException failure) {
        if (failure instanceof AwsServiceException service) {
            return service.isThrottlingException() || service.statusCode() >= 500
                    || PASSING_CODES.contains(errorCode(failure));
        }
        // No answer from the service. The one client-side failure that will not pass is missing credentials.
        return !(failure instanceof SdkClientException) || !missingCredentials(failure);
    }

    /** The service's error code, or a name for a failure without one. */
    public static String errorCode(SdkException failure) {
        if (failure instanceof AwsServiceException service && service.awsErrorDetails() != null
                && service.awsErrorDetails().errorCode() != null) {
            return service.awsErrorDetails().errorCode();
        }
        if (missingCredentials(failure)) {
            return "MissingCredentials";
        }
        return failure.getClass().getSimpleName();
    }

    /**
     * The SDK's credential provider chain answers "Unable to load credentials from any of the providers in the
     * chain" (and its profile and environment providers similar words) when no credentials exist at all.
     */
    private static boolean missingCredentials(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && message.toLowerCase(Locale.ROOT).contains("unable to load credentials")) {
                return true;
            }
        }
        return false;
    }
}
