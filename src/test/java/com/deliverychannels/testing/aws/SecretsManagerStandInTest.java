package com.deliverychannels.testing.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.deliverychannels.testing.aws.IamPolicy.Decision;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretsManagerException;

/** The real SDK client reads secrets from {@link SecretsManagerStandIn} as it reads them from Secrets Manager. */
class SecretsManagerStandInTest {
    private static final String NAME = "delivery-channels/credentials-keys";
    private static final String ARN = SecretsManagerStandIn.arnOf(AwsAccount.TEST, NAME);
    private static final String OTHER = SecretsManagerStandIn.arnOf(AwsAccount.TEST, "delivery-channels/other");
    private static final String PRINCIPAL = AwsAccount.TEST.assumedRole("stack-SendFunctionRole-X", "stack-send");

    private SecretsManagerStandIn standIn;
    private SecretsManagerClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (standIn != null) {
            standIn.close();
        }
    }

    @Test
    void answersTheCurrentValueByArnPartialArnOrNameAndCountsEachRead() {
        start(IamPolicy.allowAll());
        Instant before = Instant.now().minusSeconds(1);
        standIn.put(ARN, "k1:AAAA");

        GetSecretValueResponse byArn = client.getSecretValue(b -> b.secretId(ARN));
        GetSecretValueResponse byName = client.getSecretValue(b -> b.secretId(NAME));
        GetSecretValueResponse byPartialArn = client.getSecretValue(b -> b.secretId(ARN.substring(0, ARN.length() - 7)));

        for (GetSecretValueResponse answer : List.of(byArn, byName, byPartialArn)) {
            assertEquals("k1:AAAA", answer.secretString());
            assertEquals(ARN, answer.arn());
            assertEquals(NAME, answer.name());
            assertEquals(List.of("AWSCURRENT"), answer.versionStages());
            assertTrue(answer.versionId() != null && !answer.versionId().isBlank(), answer::toString);
            assertTrue(answer.createdDate().isAfter(before) && answer.createdDate().isBefore(Instant.now().plusSeconds(1)),
                    answer::toString);
        }
        assertEquals(3, standIn.getSecretValueCalls(ARN));
        assertEquals(0, standIn.getSecretValueCalls(OTHER));
    }

    @Test
    void aRotatedValueIsCurrentAndTheOldOneIsPrevious() {
        start(IamPolicy.allowAll());
        standIn.put(ARN, "old");
        String oldVersion = client.getSecretValue(b -> b.secretId(ARN)).versionId();

        standIn.put(ARN, "new");

        GetSecretValueResponse current = client.getSecretValue(b -> b.secretId(ARN));
        assertEquals("new", current.secretString());
        assertNotEquals(oldVersion, current.versionId());
        GetSecretValueResponse previous = client.getSecretValue(b -> b.secretId(ARN).versionStage("AWSPREVIOUS"));
        assertEquals("old", previous.secretString());
        assertEquals(List.of("AWSPREVIOUS"), previous.versionStages());
        assertEquals("old", client.getSecretValue(b -> b.secretId(ARN).versionId(oldVersion)).secretString());
    }

    @Test
    void anUnknownSecretIsResourceNotFound() {
        start(IamPolicy.allowAll());

        ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
                () -> client.getSecretValue(b -> b.secretId(OTHER)));

        assertEquals(400, missing.statusCode());
        assertEquals("Secrets Manager can't find the specified secret.", missing.awsErrorDetails().errorMessage());
    }

    @Test
    void aSecretThePolicyDoesNotGrantIsAccessDeniedEvenByName() {
        start(IamPolicy.of(IamStatement.allow(List.of("secretsmanager:GetSecretValue"), List.of(OTHER))));
        standIn.put(ARN, "sealed");
        standIn.put(OTHER, "granted");

        SecretsManagerException denied = assertThrows(SecretsManagerException.class,
                () -> client.getSecretValue(b -> b.secretId(NAME)));

        assertEquals("AccessDeniedException", denied.awsErrorDetails().errorCode());
        assertEquals(400, denied.statusCode());
        assertEquals("User: " + PRINCIPAL + " is not authorized to perform: secretsmanager:GetSecretValue on resource: "
                + NAME + " because no identity-based policy allows the secretsmanager:GetSecretValue action",
                denied.awsErrorDetails().errorMessage());
        assertEquals("granted", client.getSecretValue(b -> b.secretId(OTHER)).secretString());
        assertEquals(List.of(new Authorization("GetSecretValue", "secretsmanager:GetSecretValue", ARN,
                        Decision.IMPLICITLY_DENIED),
                new Authorization("GetSecretValue", "secretsmanager:GetSecretValue", OTHER, Decision.ALLOWED)),
                standIn.used(), "IAM sees the full ARN, whatever id the caller used");
    }

    @Test
    void injectedFaultsAndRejectedCredentialsReachTheSdk() {
        start(IamPolicy.allowAll());
        standIn.put(ARN, "value");
        standIn.rejectCredentials("GetSecretValue", 1);

        SecretsManagerException rejected = assertThrows(SecretsManagerException.class,
                () -> client.getSecretValue(b -> b.secretId(ARN)));
        assertEquals("UnrecognizedClientException", rejected.awsErrorDetails().errorCode());
        assertEquals("The security token included in the request is invalid.", rejected.awsErrorDetails().errorMessage());

        standIn.injectFault("*", 400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 1);
        assertThrows(ResourceNotFoundException.class, () -> client.getSecretValue(b -> b.secretId(ARN)));

        standIn.injectFault("GetSecretValue", 400, "ThrottlingException", "Rate exceeded", 10);
        standIn.clearFaults();
        assertEquals("value", client.getSecretValue(b -> b.secretId(ARN)).secretString());
        assertEquals(3, standIn.getSecretValueCalls(ARN), "every request counts, whatever the answer");
    }

    private void start(IamPolicy policy) {
        standIn = SecretsManagerStandIn.start(policy, AwsAccount.TEST, PRINCIPAL);
        client = SecretsManagerClient.builder()
                .endpointOverride(URI.create(standIn.endpoint()))
                .region(Region.EU_WEST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.builder().socketTimeout(Duration.ofSeconds(10)).build())
                .build();
    }
}
