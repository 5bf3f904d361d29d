import type { INodeProperties } from 'n8n-workflow';

export const skillNameField: INodeProperties = {
  displayName: 'Skill Name',
  name: 'skillName',
  type: 'string',
  required: true,
  default: '',
  placeholder: 'e.g. weekly-report',
  description: 'Name of the skill, as listed by "Get Many"',
};
