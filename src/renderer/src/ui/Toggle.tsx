import { useId } from 'react';

/** An on/off switch: a real checkbox with role=switch, so Space toggles it and readers say "on/off". */
export function Toggle({
  label,
  checked,
  onChange,
  disabled,
  describedBy,
  name,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  describedBy?: string;
  name?: string;
}) {
  const id = useId();
  return (
    <div className="toggle">
      <input
        id={id}
        name={name}
        type="checkbox"
        role="switch"
        checked={checked}
        disabled={disabled}
        aria-describedby={describedBy}
        onChange={(event) => onChange(event.target.checked)}
      />
      <label htmlFor={id}>{label}</label>
    </div>
  );
}
