package com.deliverychannels.testing;

import com.deliverychannels.testing.aws.AwsPolicyProxy;

/**
 * The AWS answers issue 11 tells apart, as DynamoDB words them on the wire ({@code __type}, message), for a
 * test to make the proxy in front of DynamoDB Local ({@link DynamoDbLocalResource#proxy()}) answer them.
 * The configuration faults must fail loudly; throttling passes.
 */
public enum AwsFault {
    ACCESS_DENIED("com.amazon.coral.service#AccessDeniedException",
            "User: arn:aws:sts::123456789012:assumed-role/delivery-channels-test-role/test is not authorized to"
                    + " perform: dynamodb:%s on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/"
                    + DynamoDbLocalResource.TABLE + " because no identity-based policy allows the dynamodb:%s action"),
    RESOURCE_NOT_FOUND("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            "Requested resource not found"),
    VALIDATION("com.amazon.coral.validate#ValidationException",
            "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes"),
    UNRECOGNIZED_CLIENT("com.amazon.coral.service#UnrecognizedClientException",
            "The security token included in the request is invalid."),
    EXPIRED_TOKEN("com.amazon.coral.service#ExpiredTokenException",
            "The security token included in the request is expired"),
    /** Passing: the SDK retries it by itself (with back-off), and the call goes through. */
    THROTTLED("com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "The level of configured provisioned throughput for the table was exceeded.");

    /** As many calls as the DynamoDB client could retry: a configuration fault must fail whatever its policy. */
    private static final int BEYOND_SDK_RETRIES = 20;

    private final String type;
    private final String message;

    AwsFault(String type, String message) {
        this.type = type;
        this.message = message;
    }

    /** The error code the SDK reads from the answer: the part of {@code __type} after {@code #}. */
    public String code() {
        return type.substring(type.indexOf('#') + 1);
    }

    /** Whether the product must treat it as passing (retry later) rather than fail loudly. */
    public boolean passing() {
        return this == THROTTLED;
    }

    /**
     * Makes the next calls of {@code operation} through {@code proxy} answer this fault: a configuration fault
     * as often as the SDK could retry it (it must fail at once whatever the retry policy), throttling once (the
     * SDK's retry absorbs it; a throttling that outlasts the SDK's retries is the domain's "unavailable", which
     * {@code FaultyDeliveryStore} injects in {@code SendFaultToleranceTest} and {@code RetryFaultToleranceTest}).
     */
    public void inject(AwsPolicyProxy proxy, String operation) {
        proxy.injectFault(operation, 400, type, message.formatted(operation, operation),
                passing() ? 1 : BEYOND_SDK_RETRIES);
    }
}
