package com.deliverychannels.testing.aws;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SAM policy templates this project may use, expanded as the SAM transform expands them. Actions and resources
 * are those of SAM's {@code samtranslator/policy_templates_data/policy_templates.json} (checked against its
 * version of 2026-05); a template not listed here is refused rather than guessed.
 *
 * @see <a href="https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-template-list.html">
 *      AWS SAM policy template list</a>
 */
final class SamPolicyTemplates {
    private static final List<String> DYNAMODB_CRUD = List.of("dynamodb:GetItem", "dynamodb:DeleteItem",
            "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem",
            "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem");
    private static final List<String> DYNAMODB_READ = List.of("dynamodb:GetItem", "dynamodb:Scan",
            "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable");
    private static final List<String> DYNAMODB_WRITE = List.of("dynamodb:PutItem", "dynamodb:UpdateItem",
            "dynamodb:BatchWriteItem");
    private static final List<String> SES_CRUD = List.of("ses:GetIdentityVerificationAttributes", "ses:SendEmail",
            "ses:SendRawEmail", "ses:VerifyEmailIdentity");
    private static final List<String> SES_BULK_TEMPLATED_CRUD = List.of("ses:GetIdentityVerificationAttributes",
            "ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail",
            "ses:VerifyEmailIdentity");
    private static final List<String> SES_EMAIL_TEMPLATE_CRUD = List.of("ses:CreateTemplate", "ses:GetTemplate",
            "ses:ListTemplates", "ses:UpdateTemplate", "ses:DeleteTemplate", "ses:TestRenderTemplate");

    /** The names {@link #expand} knows. */
    static final Set<String> NAMES = new TreeSet<>(Set.of("DynamoDBCrudPolicy", "DynamoDBReadPolicy",
            "DynamoDBWritePolicy", "AWSSecretsManagerGetSecretValuePolicy", "SESCrudPolicy", "SESSendBouncePolicy",
            "SESBulkTemplatedCrudPolicy", "SESEmailTemplateCrudPolicy"));

    private SamPolicyTemplates() {
    }

    static boolean isTemplate(String name) {
        return NAMES.contains(name);
    }

    /**
     * The statements of template {@code name} with its parameters (already resolved to plain values) filled in.
     *
     * @throws IllegalArgumentException for a template not listed in {@link #NAMES} or a parameter missing
     */
    static List<IamStatement> expand(String name, Map<String, String> parameters, AwsAccount account) {
        return switch (name) {
            // The DynamoDB templates grant the table and every index of it (table/<name>/index/*).
            case "DynamoDBCrudPolicy" -> table(DYNAMODB_CRUD, parameter(name, parameters, "TableName"), account);
            case "DynamoDBReadPolicy" -> table(DYNAMODB_READ, parameter(name, parameters, "TableName"), account);
            case "DynamoDBWritePolicy" -> table(DYNAMODB_WRITE, parameter(name, parameters, "TableName"), account);
            // SecretArn is used as given: SAM puts it in the policy without checking that it is an ARN.
            case "AWSSecretsManagerGetSecretValuePolicy" -> List.of(IamStatement.allow(
                    List.of("secretsmanager:GetSecretValue"), List.of(parameter(name, parameters, "SecretArn"))));
            case "SESCrudPolicy" -> identity(SES_CRUD, parameter(name, parameters, "IdentityName"), account);
            case "SESSendBouncePolicy" -> identity(List.of("ses:SendBounce"),
                    parameter(name, parameters, "IdentityName"), account);
            case "SESBulkTemplatedCrudPolicy" -> identity(SES_BULK_TEMPLATED_CRUD,
                    parameter(name, parameters, "IdentityName"), account);
            case "SESEmailTemplateCrudPolicy" -> List.of(IamStatement.allow(SES_EMAIL_TEMPLATE_CRUD, List.of("*")));
            default -> throw new IllegalArgumentException("the SAM policy template " + name
                    + " is not modelled; add its statements (from SAM's policy_templates.json) to SamPolicyTemplates");
        };
    }

    private static List<IamStatement> table(List<String> actions, String tableName, AwsAccount account) {
        String table = account.tableArn(tableName);
        return List.of(IamStatement.allow(actions, List.of(table, table + "/index/*")));
    }

    private static List<IamStatement> identity(List<String> actions, String identityName, AwsAccount account) {
        return List.of(IamStatement.allow(actions, List.of(account.arn("ses", "identity/" + identityName))));
    }

    private static String parameter(String template, Map<String, String> parameters, String name) {
        String value = parameters.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the SAM policy template " + template + " needs its parameter " + name);
        }
        return value;
    }
}
