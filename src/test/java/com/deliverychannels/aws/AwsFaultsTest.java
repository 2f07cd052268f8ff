package com.deliverychannels.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.deliverychannels.core.DomainException;
import com.deliverychannels.core.MisconfiguredException;
import com.deliverychannels.core.UnavailableException;

import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;

/**
 * Which AWS failures pass and which an operator must fix (issue 11: "AWS faults told apart"), by the status and
 * error code each service answers with.
 */
class AwsFaultsTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            // Throttling and service faults pass: try later.
            "400, ProvisionedThroughputExceededException, passing",
            "400, ThrottlingException, passing",
            "400, RequestLimitExceeded, passing",
            "400, TransactionConflictException, passing",
            "429, TooManyRequestsException, passing",
            "500, InternalServerError, passing",
            "503, ServiceUnavailable, passing",
            "500, InternalServiceError, passing",
            // The same call fails the same way until the deployment changes.
            "400, AccessDeniedException, misconfigured",
            "400, ResourceNotFoundException, misconfigured",
            "400, ValidationException, misconfigured",
            "400, UnrecognizedClientException, misconfigured",
            "400, ExpiredTokenException, misconfigured",
            "400, InvalidSignatureException, misconfigured",
            "400, MissingAuthenticationTokenException, misconfigured",
            "403, AccessDeniedException, misconfigured",
            "400, DecryptionFailure, misconfigured",
    })
    void classifiesAServiceAnswer(int status, String code, String expected) {
        AwsServiceException failure = AwsServiceException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("what AWS said").build())
                .build();

        DomainException classified = AwsFaults.classify(failure, "dynamodb", "problem.store.unavailable");

        if (expected.equals("passing")) {
            UnavailableException unavailable = assertInstanceOf(UnavailableException.class, classified);
            assertEquals("problem.store.unavailable", unavailable.messageKey());
        } else {
            MisconfiguredException misconfigured = assertInstanceOf(MisconfiguredException.class, classified);
            assertEquals(code, misconfigured.errorCode());
            assertEquals("dynamodb", misconfigured.service());
            assertEquals("dynamodb refused the call: " + code + " (" + failure.getMessage() + ")",
                    misconfigured.describe());
        }
        assertSame(failure, classified.getCause(), "the cause is kept for the log");
    }

    @Test
    void aCallWithoutAnAnswerPasses() {
        SdkClientException reset = SdkClientException.create("Unable to execute HTTP request: Connection reset",
                new java.net.SocketException("Connection reset"));

        assertInstanceOf(UnavailableException.class, AwsFaults.classify(reset, "dynamodb", "k"));
    }

    @Test
    void credentialsThatCannotBeFoundAreTheDeploymentsFault() {
        SdkClientException none = SdkClientException.create(
                "Unable to load credentials from any of the providers in the chain AwsCredentialsProviderChain(...)");

        MisconfiguredException classified = assertInstanceOf(MisconfiguredException.class,
                AwsFaults.classify(none, "secretsmanager", "k"));
        assertEquals("MissingCredentials", classified.errorCode());
    }

    @Test
    void theFailedCallIsNamedByItsIamActionAndResourceNeverByItsValues() {
        Map<String, AttributeValue> key = Map.of("pk", AttributeValue.fromS("USER#alice@example.com"));
        assertEquals("table/deliveries", FailedCallLog.resource(GetItemRequest.builder().tableName("deliveries")
                .key(key).build()));
        assertEquals("table/deliveries/index/gsi1", FailedCallLog.resource(QueryRequest.builder()
                .tableName("deliveries").indexName("gsi1").build()));
        assertEquals("table/deliveries", FailedCallLog.resource(BatchGetItemRequest.builder()
                .requestItems(Map.of("deliveries", KeysAndAttributes.builder().keys(List.of(key)).build())).build()));
        assertEquals("secret arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf",
                FailedCallLog.resource(GetSecretValueRequest.builder()
                        .secretId("arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf").build()));

        assertEquals("dynamodb", FailedCallLog.iamPrefix("DynamoDb"));
        assertEquals("secretsmanager", FailedCallLog.iamPrefix("Secrets Manager"));
        assertEquals("ses", FailedCallLog.iamPrefix("SESv2"));
    }
}
