-- MySQL manual tutorial (pet, event, shop) and common patterns
SELECT * FROM pet
SELECT * FROM pet WHERE name = 'Bowser'
SELECT * FROM pet WHERE birth >= '1998-1-1'
SELECT * FROM pet WHERE species = 'dog' AND sex = 'f'
SELECT * FROM pet WHERE species = 'snake' OR species = 'bird'
SELECT * FROM pet WHERE (species = 'cat' AND sex = 'm') OR (species = 'dog' AND sex = 'f')
SELECT name, birth FROM pet
SELECT DISTINCT owner FROM pet
SELECT name, species, birth FROM pet WHERE species = 'dog' OR species = 'cat'
SELECT name, birth FROM pet ORDER BY birth
SELECT name, birth FROM pet ORDER BY birth DESC
SELECT name, species, birth FROM pet ORDER BY species, birth DESC
SELECT name, birth, CURDATE(), TIMESTAMPDIFF(YEAR,birth,CURDATE()) AS age FROM pet
SELECT name, birth, CURDATE(), TIMESTAMPDIFF(YEAR,birth,CURDATE()) AS age FROM pet ORDER BY name
SELECT name, birth, death, TIMESTAMPDIFF(YEAR,birth,death) AS age FROM pet WHERE death IS NOT NULL ORDER BY age
SELECT name, birth, MONTH(birth) FROM pet
SELECT name, birth FROM pet WHERE MONTH(birth) = 5
SELECT name, birth FROM pet WHERE MONTH(birth) = MONTH(DATE_ADD(CURDATE(),INTERVAL 1 MONTH))
SELECT name, birth FROM pet WHERE MONTH(birth) = MOD(MONTH(CURDATE()), 12) + 1
SELECT '2018-10-31' + INTERVAL 1 DAY
SELECT '2018-10-32' + INTERVAL 1 DAY
SELECT 1 IS NULL, 1 IS NOT NULL
SELECT 1 = NULL, 1 <> NULL, 1 < NULL, 1 > NULL
SELECT 0 IS NULL, 0 IS NOT NULL, '' IS NULL, '' IS NOT NULL
SELECT * FROM pet WHERE name LIKE 'b%'
SELECT * FROM pet WHERE name LIKE '%fy'
SELECT * FROM pet WHERE name LIKE '%w%'
SELECT * FROM pet WHERE name LIKE '_____'
SELECT * FROM pet WHERE name REGEXP '^b'
SELECT * FROM pet WHERE REGEXP_LIKE(name, '^b' COLLATE utf8mb4_bin)
SELECT * FROM pet WHERE name REGEXP 'fy$'
SELECT * FROM pet WHERE name REGEXP '^.{5}$'
SELECT COUNT(*) FROM pet
SELECT owner, COUNT(*) FROM pet GROUP BY owner
SELECT species, COUNT(*) FROM pet GROUP BY species
SELECT species, sex, COUNT(*) FROM pet GROUP BY species, sex
SELECT species, sex, COUNT(*) FROM pet WHERE species = 'dog' OR species = 'cat' GROUP BY species, sex
SELECT species, sex, COUNT(*) FROM pet WHERE sex IS NOT NULL GROUP BY species, sex
SELECT pet.name, TIMESTAMPDIFF(YEAR,birth,date) AS age, remark FROM pet INNER JOIN event ON pet.name = event.name WHERE event.type = 'litter'
SELECT p1.name, p1.sex, p2.name, p2.sex, p1.species FROM pet AS p1 INNER JOIN pet AS p2 ON p1.species = p2.species AND p1.sex = 'f' AND p1.death IS NULL AND p2.sex = 'm' AND p2.death IS NULL
SELECT MAX(article) AS article FROM shop
SELECT article, dealer, price FROM shop WHERE price=(SELECT MAX(price) FROM shop)
SELECT article, dealer, price FROM shop ORDER BY price DESC LIMIT 1
SELECT article, MAX(price) AS price FROM shop GROUP BY article ORDER BY article
SELECT article, dealer, price FROM shop s1 WHERE price=(SELECT MAX(s2.price) FROM shop s2 WHERE s1.article = s2.article) ORDER BY article
SELECT s1.article, dealer, s1.price FROM shop s1 JOIN (SELECT article, MAX(price) AS price FROM shop GROUP BY article) AS s2 ON s1.article = s2.article AND s1.price = s2.price ORDER BY article
SELECT s1.article, s1.dealer, s1.price FROM shop s1 LEFT JOIN shop s2 ON s1.article = s2.article AND s1.price < s2.price WHERE s2.article IS NULL ORDER BY s1.article
SELECT @min_price:=MIN(price),@max_price:=MAX(price) FROM shop
SELECT * FROM shop WHERE price=@min_price OR price=@max_price
SELECT article, dealer, price FROM shop WHERE price > ALL (SELECT price FROM shop WHERE dealer = 'A')
SELECT article FROM shop WHERE price = ANY (SELECT price FROM shop WHERE dealer = 'B')
SELECT article FROM shop WHERE price = SOME (SELECT price FROM shop WHERE dealer = 'B')
SELECT dealer, SUM(price), AVG(price), MIN(price), MAX(price), COUNT(DISTINCT article) FROM shop GROUP BY dealer WITH ROLLUP
SELECT dealer, GROUP_CONCAT(article ORDER BY article DESC SEPARATOR '|') FROM shop GROUP BY dealer
SELECT dealer, GROUP_CONCAT(DISTINCT article) FROM shop GROUP BY dealer ORDER BY dealer
-- employees sample database
SELECT emp_no, first_name, last_name FROM employees WHERE hire_date > '1995-01-01' ORDER BY hire_date LIMIT 10
SELECT e.emp_no, e.first_name, s.salary FROM employees e JOIN salaries s ON e.emp_no = s.emp_no WHERE s.to_date = '9999-01-01' ORDER BY s.salary DESC LIMIT 5
SELECT d.dept_name, COUNT(*) AS n FROM departments d JOIN dept_emp de ON d.dept_no = de.dept_no GROUP BY d.dept_name ORDER BY n DESC
SELECT d.dept_name, AVG(s.salary) FROM departments d JOIN dept_emp de USING (dept_no) JOIN salaries s USING (emp_no) GROUP BY d.dept_name HAVING AVG(s.salary) > 50000
SELECT gender, COUNT(*) FROM employees GROUP BY gender
SELECT YEAR(hire_date) AS y, COUNT(*) FROM employees GROUP BY YEAR(hire_date) ORDER BY y
SELECT emp_no FROM employees WHERE emp_no NOT IN (SELECT emp_no FROM dept_emp)
SELECT emp_no FROM employees e WHERE NOT EXISTS (SELECT 1 FROM salaries s WHERE s.emp_no = e.emp_no)
SELECT CONCAT(first_name, ' ', last_name) AS full_name FROM employees WHERE last_name LIKE 'Fac%' ORDER BY full_name
SELECT first_name, last_name FROM employees WHERE birth_date BETWEEN '1960-01-01' AND '1960-12-31' AND gender = 'F'
SELECT emp_no, salary, CASE WHEN salary > 80000 THEN 'high' WHEN salary > 50000 THEN 'mid' ELSE 'low' END AS band FROM salaries
SELECT emp_no, IF(salary > 60000, 'yes', 'no') AS rich, IFNULL(NULL, 0), COALESCE(NULL, NULL, 3), NULLIF(salary, 0) FROM salaries
SELECT emp_no FROM salaries GROUP BY emp_no HAVING MAX(salary) - MIN(salary) > 10000
SELECT emp_no, first_name FROM employees UNION SELECT emp_no, dept_no FROM dept_emp ORDER BY emp_no LIMIT 10
SELECT emp_no FROM employees WHERE gender = 'M' UNION ALL SELECT emp_no FROM employees WHERE gender = 'F'
(SELECT emp_no, salary FROM salaries ORDER BY salary DESC LIMIT 3) UNION (SELECT emp_no, salary FROM salaries ORDER BY salary ASC LIMIT 3) ORDER BY salary
SELECT * FROM (SELECT emp_no, salary FROM salaries WHERE salary > 60000) AS rich WHERE rich.emp_no > 10003
SELECT e.emp_no, (SELECT MAX(salary) FROM salaries s WHERE s.emp_no = e.emp_no) AS max_salary FROM employees e
SELECT DATE_FORMAT(hire_date, '%Y-%m') AS ym, COUNT(*) FROM employees GROUP BY ym
SELECT UPPER(first_name), LOWER(last_name), LENGTH(first_name), CHAR_LENGTH(last_name), SUBSTRING(first_name, 1, 3), SUBSTRING(last_name FROM 2 FOR 3), TRIM(' x '), TRIM(LEADING '0' FROM '00123'), TRIM(BOTH 'x' FROM 'xxaxx'), TRIM(TRAILING FROM 'a  ') FROM employees
SELECT LOCATE('a', first_name), POSITION('a' IN first_name), INSTR(first_name, 'a'), REPLACE(first_name, 'a', 'b'), LEFT(first_name, 2), RIGHT(last_name, 2), LPAD(emp_no, 8, '0'), REVERSE(first_name) FROM employees
SELECT ROUND(AVG(salary), 2), FLOOR(AVG(salary)), CEIL(AVG(salary)), TRUNCATE(AVG(salary), 1), ABS(-5), SIGN(-3), POW(2, 10), SQRT(16), 10 DIV 3, 10 MOD 3, 10 % 3 FROM salaries
SELECT CAST(salary AS CHAR), CAST('12' AS UNSIGNED), CAST('1.5' AS DECIMAL(10, 2)), CONVERT(salary, CHAR(20)), CONVERT('abc' USING utf8mb4), CAST(hire_date AS DATETIME) FROM salaries JOIN employees USING (emp_no)
SELECT EXTRACT(YEAR FROM hire_date), EXTRACT(YEAR_MONTH FROM hire_date), DATE_ADD(hire_date, INTERVAL 1 YEAR), DATE_SUB(hire_date, INTERVAL '1:30' HOUR_MINUTE), DATEDIFF('2000-01-01', hire_date), hire_date - INTERVAL 2 DAY FROM employees
SELECT DATE '2020-01-01', TIME '10:00:00', TIMESTAMP '2020-01-01 10:00:00', CURRENT_DATE, CURRENT_TIMESTAMP(), UTC_DATE
SELECT first_name FROM employees WHERE first_name IN ('Georgi', 'Bezalel') AND last_name NOT IN ('Facello') AND emp_no NOT BETWEEN 10005 AND 10008
SELECT first_name FROM employees WHERE first_name NOT LIKE 'G%' AND last_name NOT REGEXP '^S'
SELECT emp_no FROM employees WHERE (emp_no, gender) IN ((10001, 'M'), (10002, 'F'))
SELECT emp_no FROM employees WHERE ROW(emp_no, gender) = ROW(10001, 'M')
SELECT first_name FROM employees ORDER BY RAND() < 2, first_name LIMIT 3
SELECT e.first_name, d.dept_name FROM employees e, dept_emp de, departments d WHERE e.emp_no = de.emp_no AND de.dept_no = d.dept_no AND d.dept_name = 'Sales'
SELECT e.first_name FROM employees e CROSS JOIN departments d WHERE d.dept_no = 'd001' LIMIT 2
SELECT e.first_name FROM employees e STRAIGHT_JOIN dept_emp de ON e.emp_no = de.emp_no LIMIT 2
SELECT e.first_name FROM employees e NATURAL JOIN dept_emp LIMIT 2
SELECT e.first_name FROM employees e RIGHT JOIN dept_emp de ON e.emp_no = de.emp_no LIMIT 2
SELECT e.first_name FROM employees e LEFT JOIN (dept_emp de JOIN departments d ON de.dept_no = d.dept_no) ON e.emp_no = de.emp_no LIMIT 2
SELECT e.first_name FROM employees e USE INDEX (PRIMARY) WHERE e.emp_no > 10001 LIMIT 2
SELECT e.first_name FROM employees e IGNORE INDEX FOR ORDER BY (PRIMARY) ORDER BY emp_no LIMIT 2
SELECT SQL_NO_CACHE emp_no FROM employees LIMIT 1
SELECT HIGH_PRIORITY SQL_SMALL_RESULT emp_no FROM employees LIMIT 1
SELECT SQL_CALC_FOUND_ROWS emp_no FROM employees LIMIT 1
SELECT FOUND_ROWS()
