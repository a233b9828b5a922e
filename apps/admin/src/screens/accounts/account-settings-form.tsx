// An account's settings as one form: auto-reply, consent and business hours, saved together in the
// contract's UpdateAccountSettings shape.
import { useState } from "react";
import { Alert, Button, Divider, Group, Stack, Switch, Title } from "@mantine/core";
import { UpdateAccountSettings, type Account } from "@mkt-x/core";
import { BusinessHoursEditor, fromDraft, toDraft, type DraftErrors } from "./business-hours-editor.tsx";

export function AccountSettingsForm({
  account,
  onSubmit,
  onCancel,
  saving,
  error,
}: {
  account: Pick<Account, "autoReplyEnabled" | "requireConsent" | "businessHours" | "username">;
  onSubmit: (settings: UpdateAccountSettings) => void;
  onCancel?: () => void;
  saving?: boolean;
  error?: string | null;
}) {
  const [autoReplyEnabled, setAutoReply] = useState(account.autoReplyEnabled);
  const [requireConsent, setRequireConsent] = useState(account.requireConsent);
  const [hours, setHours] = useState(() => toDraft(account.businessHours));
  const [errors, setErrors] = useState<DraftErrors>({});

  const submit = () => {
    const result = fromDraft(hours, account.businessHours !== null);
    if (!result.ok) {
      setErrors(result.errors);
      return;
    }
    setErrors({});
    const settings = UpdateAccountSettings.parse({ autoReplyEnabled, requireConsent, businessHours: result.value });
    onSubmit(settings);
  };

  const invalid = Object.keys(errors).length > 0;
  return (
    <form
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <Stack gap="md">
        <Switch
          label="Auto-reply"
          description="Answer customers automatically (the AI, or the out-of-hours message outside business hours)."
          checked={autoReplyEnabled}
          onChange={(e) => setAutoReply(e.currentTarget.checked)}
        />
        <Switch
          label="Require consent"
          description="Send automated DMs (campaigns, flows) only to contacts who wrote to this account first."
          checked={requireConsent}
          onChange={(e) => setRequireConsent(e.currentTarget.checked)}
        />
        <Divider />
        <Title order={3} size="h5">
          Business hours
        </Title>
        <BusinessHoursEditor
          value={hours}
          errors={errors}
          onChange={(next) => {
            setHours(next);
            if (invalid) setErrors({});
          }}
        />
        {invalid ? (
          <Alert color="red" variant="light" role="alert" title="Check the business hours">
            Each day's closing time must be after its opening time, in a known time zone.
          </Alert>
        ) : null}
        {error ? (
          <Alert color="red" variant="light" role="alert" title="Could not save">
            {error}
          </Alert>
        ) : null}
        <Group justify="flex-end">
          {onCancel ? (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          ) : null}
          <Button type="submit" loading={saving}>
            Save settings
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
