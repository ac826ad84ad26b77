/** Dummy credentials and region for SDK clients pointed at the local endpoints (never a real account). */
export function useDummyCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDLOCALTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'local-test-secret';
  process.env.AWS_REGION = process.env.AWS_REGION ?? 'eu-west-1';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}
