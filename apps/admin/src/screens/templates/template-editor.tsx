export function TemplateEditorScreen() { return null; }
