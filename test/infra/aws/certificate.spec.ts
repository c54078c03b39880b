import { strict as assert } from "node:assert";
import type { ProgramRun } from "../../../tools/program/runUnderMocks";
import { STACKS, stackRun, ofType } from "./resources";

for (const stack of STACKS) {
  describe(`aws api certificate: ${stack} stack`, () => {
    let run: ProgramRun;
    before(async () => {
      run = await stackRun(stack);
    });

    it("requests a DNS-validated certificate for api.<domain> only", () => {
      const [cert, ...more] = ofType(run, "aws:acm/certificate:Certificate");
      assert.equal(more.length, 0);
      assert.equal(cert?.inputs.domainName, run.settings.apiHostname);
      assert.equal(cert?.inputs.validationMethod, "DNS");
      assert.equal(cert?.inputs.subjectAlternativeNames, undefined);
    });

    it("waits for validation of that certificate before the API domain uses it", () => {
      const [validation] = ofType(run, "aws:acm/certificateValidation:CertificateValidation");
      assert.equal(validation?.inputs.certificateArn, `arn:aws:acm:${run.settings.aws.region}:${run.settings.aws.accountId}:certificate/api-cert-id`);
      const fqdns = validation?.inputs.validationRecordFqdns as string[];
      assert.equal(fqdns.length, 1);
      assert.ok(fqdns[0]?.endsWith(run.settings.apiHostname), `${fqdns[0]} is a name under ${run.settings.apiHostname}`);
      const [domain] = ofType(run, "aws:apigatewayv2/domainName:DomainName");
      const config = domain?.inputs.domainNameConfiguration as { certificateArn: string };
      assert.equal(config.certificateArn, validation?.inputs.certificateArn);
    });
  });
}
