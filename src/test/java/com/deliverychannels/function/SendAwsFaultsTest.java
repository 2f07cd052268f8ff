package com.deliverychannels.function;

import static com.deliverychannels.function.SendFixtures.identity;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.deliverychannels.testing.AwsFault;
import com.deliverychannels.testing.DeliveryFixtures;
import com.deliverychannels.testing.DynamoDbLocalResource;
import com.deliverychannels.testing.MscRelayResource;
import com.deliverychannels.testing.SendFunctionProfile;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * {@code POST /v1/messages} when DynamoDB answers the sender look-up (identity and suppressions, one
 * BatchGetItem) with each fault class of issue 11: a configuration fault is a 500 with the request id, and
 * nothing is written or sent; a throttled read is retried and the message goes out.
 */
@QuarkusTest
@TestProfile(SendFunctionProfile.class)
class SendAwsFaultsTest {

    @AfterEach
    void clearFaults() {
        DynamoDbLocalResource.proxy().clearFaults();
    }

    @ParameterizedTest
    @EnumSource(AwsFault.class)
    void aSendWhoseLookUpIsRefusedWritesAndSendsNothing(AwsFault fault) {
        String user = newUser();
        identity(user, "Alice Martin", "alice@example.com");
        String subject = "Fault " + fault;
        fault.inject(DynamoDbLocalResource.proxy(), "BatchGetItem");

        ApiAnswer answer = ApiEvents.post("/v1/messages",
                "{\"to\":[\"bob@example.org\"],\"subject\":\"" + subject + "\",\"text\":\"Hi\"}").as(user).send();

        if (fault.passing()) {
            assertEquals(201, answer.status(), answer::toString);
            assertEquals("SENT", answer.body().path("status").asText(), answer::toString);
            return;
        }
        assertEquals(500, answer.status(), answer::toString);
        assertTrue(answer.header("content-type").startsWith("application/problem+json"), answer::toString);
        assertFalse(answer.rawBody().contains("Exception"), answer::toString);
        assertFalse(answer.body().path("requestId").asText().isBlank(), answer::toString);
        DynamoDbLocalResource.proxy().clearFaults();
        assertEquals(List.of(), DeliveryFixtures.storedFor(DynamoDbLocalResource.client(), DynamoDbLocalResource.TABLE,
                user), "no delivery written");
        assertTrue(MscRelayResource.relay().messages().stream().noneMatch(m -> subject.equals(m.header("Subject"))),
                "nothing sent");
    }
}
