package com.deliverychannels.function;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.deliverychannels.bounce.SnsTestSigner;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStatus;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.AwsFault;
import com.deliverychannels.testing.BouncesFunctionProfile;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.DynamoDbLocalResource;
import com.deliverychannels.testing.SesFeedback;
import com.deliverychannels.testing.SnsCertificateHost;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * A bounce when DynamoDB refuses the SNS message ledger's claim with each fault class of issue 11. A configuration
 * fault fails the SNS → Lambda invocation (Lambda's error metric, its retries, then the dead-letter queue keep the
 * notification) and answers the webhook 500 (SNS retries it); the bounce is not lost: once the fault is gone the
 * same message is applied, once. Throttling is retried and the bounce applied at once.
 */
@QuarkusTest
@TestProfile(BouncesFunctionProfile.class)
class BouncesAwsFaultsTest {
    private static SnsCertificateHost certificateHost;

    @Inject
    DeliveryStore deliveries;

    @BeforeAll
    static void serveCertificate() {
        certificateHost = SnsCertificateHost.start();
    }

    @AfterAll
    static void stopCertificateHost() {
        certificateHost.close();
    }

    @AfterEach
    void clearFaults() {
        DynamoDbLocalResource.proxy().clearFaults();
    }

    @ParameterizedTest
    @EnumSource(AwsFault.class)
    void anSnsEventWhoseClaimIsRefusedFailsTheInvocationAndIsAppliedWhenRedelivered(AwsFault fault) {
        Delivery delivery = sentDelivery();
        String event = SnsTestSigner.lambdaEvent(notification(delivery));
        fault.inject(DynamoDbLocalResource.proxy(), "PutItem");

        int status = given().contentType("application/json").body(event).post("/").statusCode();

        if (fault.passing()) {
            assertEquals(200, status);
            assertEquals(DeliveryStatus.BOUNCED, deliveries.find(delivery.deliveryId()).orElseThrow().status());
            return;
        }
        assertNotEquals(200, status, "the invocation fails: Lambda retries it, then the DLQ keeps it");
        assertEquals(DeliveryStatus.SENT, deliveries.find(delivery.deliveryId()).orElseThrow().status());

        DynamoDbLocalResource.proxy().clearFaults();
        String redelivered = given().contentType("application/json").body(event).post("/").then().statusCode(200)
                .extract().asString();
        assertTrue(redelivered.contains("\"processed\":1"), redelivered);
        assertEquals(DeliveryStatus.BOUNCED, deliveries.find(delivery.deliveryId()).orElseThrow().status());
    }

    @ParameterizedTest
    @EnumSource(AwsFault.class)
    void aWebhookWhoseClaimIsRefusedAnswersByTheFaultsClass(AwsFault fault) {
        Delivery delivery = sentDelivery();
        fault.inject(DynamoDbLocalResource.proxy(), "PutItem");

        ApiEvents.ApiAnswer answer = ApiEvents.request("POST", "/v1/webhooks/ses").anonymous()
                .header("content-type", "text/plain; charset=UTF-8")
                .header("x-amz-sns-message-type", "Notification")
                .body(notification(delivery)).send();

        if (fault.passing()) {
            assertEquals(200, answer.status(), answer::toString);
            assertEquals(DeliveryStatus.BOUNCED, deliveries.find(delivery.deliveryId()).orElseThrow().status());
            return;
        }
        assertEquals(500, answer.status(), answer::toString);
        assertFalse(answer.rawBody().contains("Exception"), answer::toString);
        assertEquals(DeliveryStatus.SENT, deliveries.find(delivery.deliveryId()).orElseThrow().status());
    }

    private Delivery sentDelivery() {
        Delivery delivery = DeliveryFixtures.sent("mary@example.com", "richard@example.com");
        assertTrue(deliveries.create(delivery, Optional.empty()));
        return delivery;
    }

    private static String notification(Delivery delivery) {
        return SnsTestSigner.notification(BouncesFunctionProfile.TOPIC,
                SesFeedback.about("event-bounce-permanent-two-recipients.json", delivery), certificateHost.certUrl(),
                Instant.now());
    }
}
