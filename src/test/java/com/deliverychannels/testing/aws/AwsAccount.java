package com.deliverychannels.testing.aws;

/**
 * Where a stack is deployed, as far as its ARNs tell: the partition ({@code aws}, {@code aws-cn}, ...), the
 * region and the account id. The stand-ins on loopback build every ARN and principal from it, so that a policy
 * resolved from the template and the resources a call names agree.
 */
public record AwsAccount(String partition, String region, String accountId) {
    /** The account every test of this project pretends to run in. */
    public static final AwsAccount TEST = new AwsAccount("aws", "eu-west-1", "123456789012");

    /** {@code arn:<partition>:<service>:<region>:<account>:<resource>}. */
    public String arn(String service, String resource) {
        return "arn:" + partition + ":" + service + ":" + region + ":" + accountId + ":" + resource;
    }

    /** The ARN of the DynamoDB table {@code tableName}. */
    public String tableArn(String tableName) {
        return arn("dynamodb", "table/" + tableName);
    }

    /**
     * The principal a Lambda function's calls are made as: its execution role, assumed with the function's name
     * as the session name, which is how access-denied messages name a Lambda caller.
     */
    public String assumedRole(String roleName, String sessionName) {
        return "arn:" + partition + ":sts::" + accountId + ":assumed-role/" + roleName + "/" + sessionName;
    }
}
