package com.deliverychannels.testing.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.deliverychannels.testing.aws.IamPolicy.Decision;

/**
 * IAM's evaluation as the stand-ins apply it, and the policies {@link TemplatePolicies} reads from a template: SAM
 * policy templates expanded to SAM's own actions and resources, intrinsics resolved for the test account.
 */
class IamPolicyTest {
    private static final AwsAccount ACCOUNT = AwsAccount.TEST;
    private static final String TABLE = ACCOUNT.tableArn("orders");

    /** Policies of one concern each, so that each row below is decided by the statements it is about. */
    private static final Map<String, IamPolicy> POLICIES = Map.of(
            "items", IamPolicy.of(
                    IamStatement.allow(List.of("dynamodb:GetItem", "dynamodb:PutItem"), List.of(TABLE)),
                    IamStatement.allow(List.of("dynamodb:Query"), List.of(TABLE + "/index/*"))),
            "wildcards", IamPolicy.of(
                    IamStatement.allow(List.of("dynamodb:Delete*", "dynamodb:?etItem"), List.of(TABLE)),
                    IamStatement.allow(List.of("secretsmanager:GetSecretValue"),
                            List.of(ACCOUNT.arn("secretsmanager", "secret:app/key-??????")))),
            "denyWins", IamPolicy.of(
                    IamStatement.allow(List.of("dynamodb:*"), List.of("*")),
                    IamStatement.deny(List.of("dynamodb:DeleteItem"), List.of(TABLE))),
            "notAction", IamPolicy.of(
                    new IamStatement(IamStatement.Effect.ALLOW, List.of("dynamodb:*"), true, List.of("*"), false)),
            "notResource", IamPolicy.of(
                    new IamStatement(IamStatement.Effect.ALLOW, List.of("dynamodb:GetItem"), false,
                            List.of(ACCOUNT.tableArn("audit")), true)));

    @ParameterizedTest(name = "{0}: {1} on {2} is {3}")
    @CsvSource(delimiter = '|', textBlock = """
            items       | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            items       | dynamodb:getitem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            items       | DYNAMODB:PUTITEM       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            items       | dynamodb:UpdateItem    | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | IMPLICITLY_DENIED
            items       | dynamodb:BatchGetItem  | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | IMPLICITLY_DENIED
            items       | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/gsi1 | IMPLICITLY_DENIED
            items       | dynamodb:Query         | arn:aws:dynamodb:eu-west-1:123456789012:table/orders/index/gsi1 | ALLOWED
            items       | dynamodb:Query         | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | IMPLICITLY_DENIED
            items       | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/Orders            | IMPLICITLY_DENIED
            items       | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders2           | IMPLICITLY_DENIED
            items       | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-2:123456789012:table/orders            | IMPLICITLY_DENIED
            wildcards   | dynamodb:DeleteItem    | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            wildcards   | dynamodb:DeleteTable   | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            wildcards   | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            wildcards   | dynamodb:BatchGetItem  | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | IMPLICITLY_DENIED
            wildcards   | secretsmanager:GetSecretValue | arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/key-AbCdEf  | ALLOWED
            wildcards   | secretsmanager:GetSecretValue | arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/key-AbCdE   | IMPLICITLY_DENIED
            wildcards   | secretsmanager:GetSecretValue | arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/key2-AbCdEf | IMPLICITLY_DENIED
            denyWins    | dynamodb:DeleteItem    | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | EXPLICITLY_DENIED
            denyWins    | dynamodb:DeleteItem    | arn:aws:dynamodb:eu-west-1:123456789012:table/audit             | ALLOWED
            denyWins    | dynamodb:PutItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            notAction   | sqs:SendMessage        | arn:aws:sqs:eu-west-1:123456789012:dlq                          | ALLOWED
            notAction   | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | IMPLICITLY_DENIED
            notResource | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/orders            | ALLOWED
            notResource | dynamodb:GetItem       | arn:aws:dynamodb:eu-west-1:123456789012:table/audit             | IMPLICITLY_DENIED
            """)
    void decidesAsIamDoes(String policy, String action, String resource, Decision expected) {
        assertEquals(expected, POLICIES.get(policy).evaluate(action, resource));
    }

    @ParameterizedTest(name = "{0} ~ {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            *                                                   | arn:aws:dynamodb:eu-west-1:1:table/t           | true
            arn:aws:dynamodb:*:*:table/t                        | arn:aws:dynamodb:eu-west-1:1:table/t           | true
            arn:aws:dynamodb:eu-west-?:1:table/t                | arn:aws:dynamodb:eu-west-1:1:table/t           | true
            arn:aws:dynamodb:eu-west-?:1:table/t                | arn:aws:dynamodb:eu-west-10:1:table/t          | false
            arn:aws:dynamodb:eu-west-1:1:table/t/index/*        | arn:aws:dynamodb:eu-west-1:1:table/t/index/g   | true
            arn:aws:dynamodb:eu-west-1:1:table/t/index/*        | arn:aws:dynamodb:eu-west-1:1:table/t           | false
            arn:aws:dynamodb:eu-west-1:1:table/t*               | arn:aws:dynamodb:eu-west-1:1:table/t/index/g   | true
            arn:aws:dynamodb:eu-west-1:1:table/t                | arn:aws:dynamodb:eu-west-1:1:table/T           | false
            """)
    void matchesResourcesSegmentBySegmentAndCaseSensitively(String pattern, String resource, boolean matches) {
        assertEquals(matches, IamStatement.resourceMatches(pattern, resource));
    }

    @Test
    void aPolicyWithoutStatementsDeniesEverythingAndAllowAllAllowsEverything() {
        assertEquals(Decision.IMPLICITLY_DENIED, IamPolicy.denyAll().evaluate("dynamodb:GetItem", TABLE));
        assertEquals(Decision.ALLOWED, IamPolicy.allowAll().evaluate("dynamodb:GetItem", TABLE));
        assertEquals(Decision.ALLOWED, IamPolicy.allowAll().evaluate("secretsmanager:GetSecretValue", "arn:x"));
    }

    @Test
    void samPolicyTemplatesExpandToSamsActionsOnTheTableAndItsIndexes(@TempDir Path folder) throws IOException {
        Path template = folder.resolve("template.yaml");
        Files.writeString(template, """
                Transform: AWS::Serverless-2016-10-31
                Parameters:
                  KeysSecretArn:
                    Type: String
                  Identity:
                    Type: String
                    Default: example.com
                  WithAudit:
                    Type: String
                    Default: 'false'
                Conditions:
                  Audit: !Equals [!Ref WithAudit, 'true']
                Resources:
                  Table:
                    Type: AWS::DynamoDB::Table
                  Reader:
                    Type: AWS::Serverless::Function
                    Properties:
                      Environment: {Variables: {QUARKUS_FUNQY_EXPORT: reader}}
                      Policies:
                        - AWSLambdaBasicExecutionRole
                        - DynamoDBReadPolicy: {TableName: !Ref Table}
                        - AWSSecretsManagerGetSecretValuePolicy: {SecretArn: !Ref KeysSecretArn}
                        - !If [Audit, {DynamoDBCrudPolicy: {TableName: audit}}, !Ref AWS::NoValue]
                  Writer:
                    Type: AWS::Serverless::Function
                    Properties:
                      Environment: {Variables: {QUARKUS_FUNQY_EXPORT: writer}}
                      Policies:
                        - DynamoDBWritePolicy: {TableName: !Ref Table}
                        - DynamoDBCrudPolicy: {TableName: other}
                        - SESCrudPolicy: {IdentityName: !Ref Identity}
                        - Statement:
                            - Effect: Deny
                              Action: dynamodb:BatchWriteItem
                              Resource: !Sub '${Table.Arn}'
                """);
        String secret = ACCOUNT.arn("secretsmanager", "secret:keys-AbCdEf");
        TemplatePolicies policies = TemplatePolicies.read(template, ACCOUNT, "t1", Map.of("KeysSecretArn", secret));
        String table = ACCOUNT.tableArn("t1");

        assertEquals(java.util.Set.of("reader", "writer"), policies.exportNames());
        IamPolicy reader = policies.policy("reader");
        for (String action : List.of("GetItem", "Scan", "Query", "BatchGetItem", "DescribeTable")) {
            assertEquals(Decision.ALLOWED, reader.evaluate("dynamodb:" + action, table), action);
            assertEquals(Decision.ALLOWED, reader.evaluate("dynamodb:" + action, table + "/index/any"), action);
        }
        assertEquals(Decision.IMPLICITLY_DENIED, reader.evaluate("dynamodb:PutItem", table));
        assertEquals(Decision.IMPLICITLY_DENIED, reader.evaluate("dynamodb:ConditionCheckItem", table));
        assertEquals(Decision.IMPLICITLY_DENIED, reader.evaluate("dynamodb:GetItem", ACCOUNT.tableArn("audit")),
                "the condition left the audit grant out");
        assertEquals(Decision.ALLOWED, reader.evaluate("secretsmanager:GetSecretValue", secret));
        assertEquals(Decision.IMPLICITLY_DENIED, reader.evaluate("secretsmanager:GetSecretValue", secret + "x"));

        IamPolicy writer = policies.policy("writer");
        assertEquals(Decision.ALLOWED, writer.evaluate("dynamodb:PutItem", table));
        assertEquals(Decision.ALLOWED, writer.evaluate("dynamodb:UpdateItem", table + "/index/gsi1"));
        assertEquals(Decision.IMPLICITLY_DENIED, writer.evaluate("dynamodb:GetItem", table));
        assertEquals(Decision.IMPLICITLY_DENIED, writer.evaluate("dynamodb:DeleteItem", table));
        assertEquals(Decision.EXPLICITLY_DENIED, writer.evaluate("dynamodb:BatchWriteItem", table));
        assertEquals(Decision.ALLOWED, writer.evaluate("dynamodb:ConditionCheckItem", ACCOUNT.tableArn("other")));
        assertEquals(Decision.ALLOWED, writer.evaluate("ses:SendRawEmail", ACCOUNT.arn("ses", "identity/example.com")));
        assertEquals(Decision.IMPLICITLY_DENIED, writer.evaluate("ses:SendRawEmail", ACCOUNT.arn("ses", "identity/x.org")));

        assertEquals(Decision.IMPLICITLY_DENIED, policies.policy("nope").evaluate("dynamodb:GetItem", table),
                "a function the template does not deploy has no role");
        assertTrue(policies.role("writer").orElseThrow().principal()
                .startsWith("arn:aws:sts::123456789012:assumed-role/delivery-channels-WriterRole-"));
    }

    @Test
    void refusesWhatItCannotModelRatherThanGuessing(@TempDir Path folder) throws IOException {
        Path template = folder.resolve("template.yaml");
        Files.writeString(template, """
                Resources:
                  Fn:
                    Type: AWS::Serverless::Function
                    Properties:
                      Environment: {Variables: {QUARKUS_FUNQY_EXPORT: fn}}
                      Policies:
                        - Statement:
                            - Effect: Allow
                              Action: dynamodb:GetItem
                              Resource: '*'
                              Condition: {StringEquals: {'aws:RequestedRegion': eu-west-1}}
                """);
        assertThrows(IllegalArgumentException.class, () -> TemplatePolicies.read(template, ACCOUNT, "t", Map.of()));
    }

    /** The project's own template: the table's ARN and the index grants resolved for the table of a test. */
    @Test
    void readsEveryFunctionOfTheProjectsTemplate() {
        TemplatePolicies policies = TemplatePolicies.read("it-table");
        String table = ACCOUNT.tableArn("it-table");

        assertEquals(java.util.Set.of("bounces", "channels", "retry", "send"), policies.exportNames());
        assertEquals(Decision.ALLOWED, policies.policy("retry").evaluate("dynamodb:Query", table + "/index/gsi1"));
        assertEquals(Decision.IMPLICITLY_DENIED, policies.policy("retry").evaluate("dynamodb:Query", table));
        assertEquals(Decision.ALLOWED,
                policies.policy("bounces").evaluate("dynamodb:Query", table + "/index/bySesMessageId"));
        assertEquals(Decision.IMPLICITLY_DENIED, policies.policy("send").evaluate("dynamodb:GetItem",
                ACCOUNT.tableArn("delivery-channels")), "the test's table replaces the template's");
        String keys = TemplatePolicies.secretArn(ACCOUNT, "CredentialsKeysSecretArn");
        assertEquals("arn:aws:secretsmanager:eu-west-1:123456789012:secret:delivery-channels/credentials-keys-AbCdEf",
                keys);
        assertEquals(Decision.ALLOWED, policies.policy("send").evaluate("secretsmanager:GetSecretValue", keys));
        assertEquals(Decision.IMPLICITLY_DENIED, policies.policy("bounces").evaluate("secretsmanager:GetSecretValue",
                keys), "bounces reads no secret");
    }
}
