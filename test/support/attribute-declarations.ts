/** Attributes of every kind a person may and may not edit on the account page, as an operator declares them. */
export const ACCOUNT_PAGE_ATTRIBUTES = [
  { name: 'department', type: 'string', label: 'Department' },
  { name: 'employee_id', type: 'number' },
  { name: 'pronouns', type: 'string', label: 'Pronouns', userEditable: true },
  { name: 'remote', type: 'boolean', label: 'Works remotely', userEditable: true },
  { name: 'start_date', type: 'date', label: 'Start date', userEditable: true },
  { name: 'desk', type: 'number', userEditable: true },
  { name: 'skills', type: 'string[]', label: 'Skills', userEditable: true },
];
